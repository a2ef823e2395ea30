"""Route 47 AVL feed: will the next stop see bunching, a gap, or a normal headway?

Each row is one bus arriving at a stop: the headway to its leader so far, the
leader's dwell and load, boardings, traffic speed on the next link, and so on.
The label is the headway state at the next timing point: 0 normal, 1 bunched
(< 0.5 of schedule), 2 gapped (> 1.5 of schedule). The best epoch on the
validation split is kept with torch.save and scored on the following week.
"""
import argparse
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FEATURES = ["headway_ratio", "sched_headway_min", "leader_dwell_s", "boardings", "leader_load",
            "link_speed_kmh", "signals_next_link", "tod_sin", "tod_cos", "rain_mm", "stop_gap_m"]


def read_avl_week(n, seed):
    rng = np.random.default_rng(seed)
    hr = rng.lognormal(0.0, 0.35, n)
    sched = rng.choice([6.0, 8.0, 10.0, 12.0, 15.0], n)
    dwell = rng.gamma(3.0, 12.0, n)
    board = rng.poisson(4 + 6 * (dwell / 40), n)
    load = np.clip(rng.normal(0.55, 0.2, n), 0.05, 1.2)
    speed = np.clip(rng.normal(24, 7, n), 5, 50)
    signals = rng.integers(0, 5, n)
    tod = rng.uniform(5.5, 23.5, n)
    rain = np.maximum(0, rng.normal(-0.5, 1.5, n))
    gap_m = rng.gamma(4.0, 90.0, n)
    drift = (np.log(hr) * 2.2 - 0.025 * (dwell - 36) + 0.06 * (board - 7) * (load > 0.7)
             - 0.04 * (speed - 24) * (signals >= 3) - 0.25 * rain + 0.35 * np.sin(2 * np.pi * tod / 24)
             + 0.002 * (gap_m - 360) - 0.04 * (sched - 10))
    drift = drift + rng.normal(0, 0.55, n)
    y = np.where(drift < -0.8, 1, np.where(drift > 0.8, 2, 0))
    X = np.column_stack([hr, sched, dwell, board, load, speed, signals,
                         np.sin(2 * np.pi * tod / 24), np.cos(2 * np.pi * tod / 24), rain, gap_m])
    return X.astype(np.float32), y.astype(np.int64)


def split(n, seed=0, val_frac=0.2):
    perm = np.random.default_rng(seed).permutation(n)
    n_val = int(n * val_frac)
    return perm[n_val:], perm[:n_val]


def build_loader(X, y, part, seed=0, batch_size=32):
    train_idx, val_idx = split(len(y), seed=seed)
    idx = train_idx if part == "train" else val_idx
    ds = TensorDataset(torch.from_numpy(X[idx]), torch.from_numpy(y[idx]))
    return DataLoader(ds, batch_size=batch_size, shuffle=(part == "train"))


class HeadwayNet(nn.Module):
    def __init__(self, d_in, mu, sd):
        super().__init__()
        self.register_buffer("mu", torch.as_tensor(mu))
        self.register_buffer("sd", torch.as_tensor(sd))
        self.body = nn.Sequential(
            nn.Linear(d_in, 256), nn.ReLU(),
            nn.Linear(256, 256), nn.ReLU(),
            nn.Linear(256, 128), nn.ReLU(),
            nn.Linear(128, 3),
        )

    def forward(self, x):
        return self.body((x - self.mu) / self.sd)


@torch.no_grad()
def accuracy(model, loader):
    model.eval()
    hit = n = 0
    for xb, yb in loader:
        hit += (model(xb).argmax(1) == yb).sum().item()
        n += len(yb)
    return hit / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--lr", type=float, default=1e-3)
    args = ap.parse_args()
    torch.manual_seed(args.seed)

    X, y = read_avl_week(2500, seed=101)
    X_next, y_next = read_avl_week(3000, seed=202)
    print("label shares:", np.bincount(y, minlength=3) / len(y))

    train_loader = build_loader(X, y, "train", seed=args.seed)
    val_loader = build_loader(X, y, "val", seed=args.seed)
    X_fit = train_loader.dataset.tensors[0]
    model = HeadwayNet(X.shape[1], X_fit.mean(0), X_fit.std(0))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()

    ckpt = os.path.join(tempfile.mkdtemp(), "headway_best.pt")
    best = -1.0
    for epoch in range(args.epochs):
        model.train()
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        val_acc = accuracy(model, val_loader)
        if val_acc > best:
            best, best_epoch = val_acc, epoch
            torch.save(model, ckpt)
        if epoch % 10 == 0:
            print(f"epoch {epoch:3d}  loss {loss.item():.4f}  val_acc {val_acc:.4f}")

    model = torch.load(ckpt, weights_only=False)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(X_next), torch.from_numpy(y_next)), batch_size=512)
    print(f"best epoch {best_epoch}  val_acc {best:.4f}")
    print(f"final next-week test_acc={accuracy(model, test_loader):.4f}")


if __name__ == "__main__":
    main()
