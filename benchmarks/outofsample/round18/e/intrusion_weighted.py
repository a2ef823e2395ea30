"""Network-flow intrusion classifier (normal / dos / probe / r2l / u2r).

Flow records mix skewed counters (bytes, packets, durations) with categorical fields
(protocol, service, TCP flag). Attacks are rare, so the cross-entropy is class-weighted
(inverse square-root frequency) and model selection uses macro-F1 on a stratified
validation split, with early stopping that restores the best weights.
"""
import copy
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import f1_score, recall_score
from sklearn.model_selection import train_test_split

CLASSES = ["normal", "dos", "probe", "r2l", "u2r"]
SHARES = [0.86, 0.08, 0.035, 0.018, 0.007]
N_PROTO, N_SERVICE, N_FLAG = 3, 24, 6


def simulate_flows(n, rng):
    y = rng.choice(len(CLASSES), size=n, p=SHARES)
    proto = np.where(rng.random(n) < 0.8, 0, rng.integers(1, N_PROTO, n))
    service = rng.integers(0, N_SERVICE, n)
    flag = np.where(rng.random(n) < 0.85, 0, rng.integers(1, N_FLAG, n))
    dur = rng.lognormal(0.5, 1.5, n)
    src_bytes = rng.lognormal(6.0, 1.8, n)
    dst_bytes = rng.lognormal(7.0, 2.0, n)
    count = rng.poisson(8, n).astype(float)
    srv_count = rng.poisson(6, n).astype(float)
    err_rate = rng.beta(1, 25, n)
    diff_srv = rng.beta(2, 12, n)
    failed_logins = rng.poisson(0.02, n).astype(float)
    root_shell = (rng.random(n) < 0.002).astype(float)
    busy = rng.random(n) < 0.05
    count[busy] = rng.poisson(70, busy.sum())
    err_rate[busy] = rng.beta(3, 5, busy.sum())
    typo = rng.random(n) < 0.03
    failed_logins[typo] = rng.poisson(1.5, typo.sum())

    dos = y == 1
    proto[dos] = np.where(rng.random(dos.sum()) < 0.6, 2, 0)
    flag[dos] = np.where(rng.random(dos.sum()) < 0.7, 3, flag[dos])
    count[dos] = rng.poisson(110, dos.sum())
    err_rate[dos] = rng.beta(5, 4, dos.sum())
    src_bytes[dos] = rng.lognormal(3.5, 1.2, dos.sum())
    dur[dos] = rng.lognormal(-2.0, 0.6, dos.sum())

    probe = y == 2
    diff_srv[probe] = rng.beta(4, 4, probe.sum())
    srv_count[probe] = rng.poisson(2, probe.sum())
    count[probe] = rng.poisson(40, probe.sum())
    flag[probe] = np.where(rng.random(probe.sum()) < 0.5, 4, flag[probe])
    dst_bytes[probe] = rng.lognormal(2.0, 1.0, probe.sum())

    r2l = y == 3
    service[r2l] = rng.choice([3, 7, 11], r2l.sum())
    failed_logins[r2l] = rng.poisson(1.8, r2l.sum())
    dur[r2l] = rng.lognormal(2.5, 1.0, r2l.sum())

    u2r = y == 4
    service[u2r] = rng.choice([3, 11], u2r.sum())
    root_shell[u2r] = (rng.random(u2r.sum()) < 0.5).astype(float)
    src_bytes[u2r] = rng.lognormal(7.5, 1.2, u2r.sum())
    dur[u2r] = rng.lognormal(3.0, 0.7, u2r.sum())

    num = np.stack([np.log1p(dur), np.log1p(src_bytes), np.log1p(dst_bytes), np.log1p(count),
                    np.log1p(srv_count), err_rate, diff_srv, np.log1p(failed_logins), root_shell], 1)
    cat = np.stack([proto, service, flag], 1)
    return num.astype(np.float32), cat.astype(np.int64), y.astype(np.int64)


class FlowNet(nn.Module):
    def __init__(self, n_num, n_classes):
        super().__init__()
        self.proto = nn.Embedding(N_PROTO, 2)
        self.service = nn.Embedding(N_SERVICE, 6)
        self.flag = nn.Embedding(N_FLAG, 3)
        d = n_num + 2 + 6 + 3
        self.mlp = nn.Sequential(
            nn.Linear(d, 128), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, n_classes),
        )

    def forward(self, x_num, x_cat):
        h = torch.cat([x_num, self.proto(x_cat[:, 0]), self.service(x_cat[:, 1]),
                       self.flag(x_cat[:, 2])], dim=1)
        return self.mlp(h)


def predict(model, num, cat):
    model.eval()
    with torch.no_grad():
        return model(num, cat).argmax(1).numpy()


def main():
    torch.manual_seed(11)
    rng = np.random.default_rng(11)
    num, cat, y = simulate_flows(9000, rng)
    idx = np.arange(len(y))
    tr, rest = train_test_split(idx, test_size=0.35, stratify=y, random_state=11)
    va, te = train_test_split(rest, test_size=0.5, stratify=y[rest], random_state=11)

    mu, sd = num[tr].mean(0), num[tr].std(0) + 1e-6
    num = (num - mu) / sd
    t = lambda a: torch.from_numpy(a)

    counts = np.bincount(y[tr], minlength=len(CLASSES))
    weights = (counts.sum() / (len(CLASSES) * counts)) ** 0.5
    print("train class counts:", dict(zip(CLASSES, counts.tolist())))
    print("class weights:", np.round(weights, 2).tolist())

    loader = DataLoader(TensorDataset(t(num[tr]), t(cat[tr]), t(y[tr])), batch_size=128, shuffle=True)
    model = FlowNet(num.shape[1], len(CLASSES))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    class_w = torch.tensor(weights, dtype=torch.float32)

    best_f1, best_state, patience, bad = -1.0, None, 6, 0
    for epoch in range(1, 61):
        model.train()
        for xn, xc, yb in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xn, xc), yb, weight=class_w)
            loss.backward()
            optimizer.step()
        val_pred = predict(model, t(num[va]), t(cat[va]))
        f1 = f1_score(y[va], val_pred, average="macro")
        if f1 > best_f1 + 1e-4:
            best_f1, best_state, bad = f1, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d}  loss {loss.item():.4f}  val macro-F1 {f1:.3f}")
        if bad >= patience:
            print(f"early stop at epoch {epoch}, best val macro-F1 {best_f1:.3f}")
            break

    model.load_state_dict(best_state)
    pred = predict(model, t(num[te]), t(cat[te]))
    rec = recall_score(y[te], pred, average=None, labels=range(len(CLASSES)))
    print("test recall per class:", {c: round(float(r), 3) for c, r in zip(CLASSES, rec)})
    print(f"test macro-F1 {f1_score(y[te], pred, average='macro'):.3f}  "
          f"accuracy {(pred == y[te]).mean():.3f}")


if __name__ == "__main__":
    main()
