"""Flow-level intrusion detection (benign vs attack) from NetFlow-style summaries.

About 3% of the flows are attacks (scans, brute force, slow exfiltration). MLP on log-scaled
counters, weighted BCE, an EMA copy of the weights for evaluation; the EMA model is saved whole.
"""
import copy
import os
import tempfile
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FEATURES = ["duration", "bytes_out", "bytes_in", "pkts_out", "pkts_in", "syn", "rst", "fin",
            "dst_port_is_well_known", "dst_port_is_ssh", "n_conn_same_src_60s", "n_distinct_dst_60s",
            "failed_auth", "mean_iat", "std_iat", "payload_entropy"]


def simulate_flows(n=16000, attack_share=0.03, seed=8):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < attack_share).astype(np.float32)
    kind = rng.integers(0, 3, n)                               # attack family, used only where y == 1
    X = np.empty((n, len(FEATURES)), dtype=np.float64)
    X[:, 0] = rng.lognormal(0.5, 1.4, n)
    X[:, 1] = rng.lognormal(7.0, 1.8, n)
    X[:, 2] = rng.lognormal(8.5, 2.0, n)
    X[:, 3] = rng.poisson(np.clip(X[:, 1] / 900, 1, None))
    X[:, 4] = rng.poisson(np.clip(X[:, 2] / 1200, 1, None))
    X[:, 5] = rng.poisson(1.1, n)
    X[:, 6] = rng.poisson(0.15, n)
    X[:, 7] = rng.poisson(0.9, n)
    X[:, 8] = (rng.random(n) < 0.7)
    X[:, 9] = (rng.random(n) < 0.05)
    X[:, 10] = rng.poisson(4, n)
    X[:, 11] = rng.poisson(2, n)
    X[:, 12] = rng.poisson(0.05, n)
    X[:, 13] = rng.lognormal(-2, 1.0, n)
    X[:, 14] = X[:, 13] * rng.lognormal(0, 0.5, n)
    X[:, 15] = rng.normal(5.5, 1.0, n)

    a = y == 1
    scan, brute, exfil = a & (kind == 0), a & (kind == 1), a & (kind == 2)
    X[scan, 11] += rng.poisson(7, scan.sum())
    X[scan, 6] += rng.poisson(0.6, scan.sum())
    X[scan, 2] *= rng.lognormal(-1.0, 1.0, scan.sum())
    X[brute, 9] = (rng.random(brute.sum()) < 0.5)
    X[brute, 12] += rng.poisson(2.0, brute.sum())
    X[brute, 10] += rng.poisson(4, brute.sum())
    X[exfil, 1] *= rng.lognormal(1.8, 0.9, exfil.sum())
    X[exfil, 15] += rng.normal(1.5, 0.6, exfil.sum())
    X[exfil, 13] *= rng.lognormal(0.8, 0.8, exfil.sum())
    return X, y


class FlowNet(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)


@torch.no_grad()
def ema_update(ema, model, decay=0.99):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.lerp_(pm, 1 - decay)


@torch.no_grad()
def report(model, X, y):
    model.eval()
    pred = (torch.sigmoid(model(X)) > 0.5).float()
    tp = ((pred == 1) & (y == 1)).sum().item()
    tn = ((pred == 0) & (y == 0)).sum().item()
    fp = ((pred == 1) & (y == 0)).sum().item()
    fn = ((pred == 0) & (y == 1)).sum().item()
    recall, spec = tp / max(tp + fn, 1), tn / max(tn + fp, 1)
    precision = tp / max(tp + fp, 1)
    return {"acc": (tp + tn) / len(y), "attack_recall": recall, "precision": precision,
            "balanced_acc": 0.5 * (recall + spec)}


def main():
    torch.manual_seed(0)
    X, y = simulate_flows()
    heavy = [0, 1, 2, 3, 4, 10, 11, 13, 14]
    X[:, heavy] = np.log1p(X[:, heavy])
    n = len(X)
    perm = np.random.default_rng(1).permutation(n)
    tr, va = perm[: int(0.75 * n)], perm[int(0.75 * n):]
    mu, sd = X[tr].mean(0), X[tr].std(0) + 1e-6
    X = ((X - mu) / sd).astype(np.float32)
    Xtr, ytr = torch.from_numpy(X[tr]), torch.from_numpy(y[tr])
    Xva, yva = torch.from_numpy(X[va]), torch.from_numpy(y[va])

    n_pos = ytr.sum()
    n_neg = len(ytr) - n_pos
    criterion = nn.BCEWithLogitsLoss(pos_weight=n_pos / n_neg)

    model = FlowNet(X.shape[1])
    ema = copy.deepcopy(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=128, shuffle=True)

    for epoch in range(10):
        model.train()
        running = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            ema_update(ema, model)
            running += loss.item() * len(yb)
        if epoch % 3 == 0 or epoch == 9:
            m = report(ema, Xva, yva)
            print(f"epoch {epoch}  train_loss {running / len(ytr):.4f}  val_acc {m['acc']:.4f}  "
                  f"attack_recall {m['attack_recall']:.3f}")

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "flownet_ema.pt")
        torch.save(ema, path)
        deployed = torch.load(path, weights_only=False)
    m = report(deployed, Xva, yva)
    print(f"final val acc {m['acc']:.4f}  attack recall {m['attack_recall']:.3f}  precision {m['precision']:.3f}  "
          f"balanced acc {m['balanced_acc']:.4f}  (attack share {yva.mean().item():.3f})")


if __name__ == "__main__":
    main()
