"""Grade sawlogs (A/B/C/pulp) from the infeed 3D scanner summary.

Plain PyTorch, hand-rolled SGD so the update can be ported to the PLC-side C code later.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

GRADES = ["A", "B", "C", "pulp"]
COLS = ["small_end_diam_cm", "taper_cm_per_m", "sweep_mm", "ovality", "knot_count",
        "max_knot_mm", "length_m", "bark_thickness_mm", "rot_score"]


def scan_batch(n, rng):
    diam = rng.gamma(9.0, 3.2, n) + 8.0
    taper = np.abs(rng.normal(0.9, 0.35, n))
    sweep = rng.gamma(2.0, 9.0, n)
    ovality = rng.beta(2, 12, n)
    knots = rng.poisson(4 + 0.08 * diam)
    max_knot = rng.gamma(2.5, 9.0, n) * (knots > 0)
    length = rng.choice([3.1, 3.7, 4.3, 4.9, 5.5], n)
    bark = rng.normal(12, 3, n) + 0.15 * diam
    rot = rng.beta(1.2, 9, n)
    # sawyer's value score: big straight clear logs are worth most
    clear = np.exp(-max_knot / 30.0) * np.exp(-knots / 9.0)
    value = (0.06 * diam - 0.9 * np.maximum(taper - 1.0, 0) - 0.025 * sweep
             - 4.0 * ovality + 1.6 * clear - 5.0 * np.maximum(rot - 0.15, 0) ** 0.7
             + 0.08 * (length - 4.3) + 0.25 * clear * (diam > 30))
    value += rng.normal(0, 0.12, n)
    cuts = np.quantile(value, [0.25, 0.55, 0.85])
    grade = 3 - np.digitize(value, cuts)          # 0 = A (best) ... 3 = pulp
    X = np.stack([diam, taper, sweep, ovality, knots, max_knot, length, bark, rot], 1)
    return X.astype(np.float32), grade.astype(np.int64)


class GradeNet(nn.Module):
    def __init__(self, n_in, n_out, hidden=64):
        super().__init__()
        self.fc1 = nn.Linear(n_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, n_out)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        nn.init.zeros_(m.bias)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--weight-decay", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    X, y = scan_batch(4000, rng)
    n_tr = 3000
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    Xtr, ytr = torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])
    Xva, yva = torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])

    model = GradeNet(X.shape[1], len(GRADES))
    model.apply(init_weights)

    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(n_tr)
        running = 0.0
        for i in range(0, n_tr, args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= args.lr * (p.grad + args.weight_decay * p)
            running += loss.item() * len(idx)
        if epoch % 5 == 0 or epoch == 1:
            model.eval()
            with torch.no_grad():
                logits = model(Xva)
                val_loss = F.cross_entropy(logits, yva).item()
                acc = (logits.argmax(1) == yva).float().mean().item()
            print(f"epoch {epoch:3d}  train_loss {running / n_tr:.4f}  val_loss {val_loss:.4f}  val_acc {acc:.4f}")

    model.eval()
    with torch.no_grad():
        pred = model(Xva).argmax(1)
    acc = (pred == yva).float().mean().item()
    per_class = [((pred == k) & (yva == k)).sum().item() / max((yva == k).sum().item(), 1) for k in range(4)]
    bal = float(np.mean(per_class))
    print(f"final val_acc {acc:.4f} balanced_acc {bal:.4f}")


if __name__ == "__main__":
    main()
