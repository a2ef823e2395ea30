"""Tea leaf grading from withering-line measurements.

Each lot of plucked leaf is measured on the withering line (bud share, leaf size, colour,
moisture, wither hours, fibre) and graded by the tasting panel into one of four grades.
We train on the earlier part of the season and validate on the latest lots.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

GRADES = ["FTGFOP", "TGFOP", "GFOP", "FOP"]


def make_season(n_lots=1600, seed=7):
    rng = np.random.default_rng(seed)
    pluck_day = rng.integers(0, 180, n_lots)
    bud_share = np.clip(rng.beta(2.0, 5.0, n_lots) + 0.08 * np.sin(pluck_day / 30.0), 0.0, 1.0)
    leaf_len = rng.normal(48.0, 9.0, n_lots) - 0.01 * pluck_day       # mm
    leaf_width = 0.42 * leaf_len + rng.normal(0.0, 2.5, n_lots)
    colour_a = rng.normal(-6.0, 2.0, n_lots)                          # green-red axis
    colour_b = rng.normal(24.0, 4.0, n_lots)                          # blue-yellow axis
    moisture = rng.normal(62.0, 5.0, n_lots)                          # % after wither
    wither_h = rng.uniform(10.0, 20.0, n_lots)
    fibre = rng.normal(11.0, 1.5, n_lots) + 6.0 * (1.0 - bud_share)
    X = np.column_stack([bud_share, leaf_len, leaf_width, colour_a, colour_b,
                         moisture, wither_h, fibre]).astype(np.float32)

    quality = (3.2 * bud_share - 0.25 * (fibre - 13.0) - 0.12 * np.abs(moisture - 60.0)
               + 0.3 * np.tanh((wither_h - 15.0) / 2.0) - 0.15 * colour_a
               - 0.002 * (leaf_len - 45.0) ** 2 + rng.normal(0.0, 0.25, n_lots))
    cuts = np.quantile(quality, [0.25, 0.5, 0.75])
    grade = (3 - np.digitize(quality, cuts)).astype(np.int64)         # 0 = best
    return X, grade, pluck_day


class GradeNet(nn.Module):
    def __init__(self, n_in, n_out, width=96, p=0.1):
        super().__init__()
        self.fc1 = nn.Linear(n_in, width)
        self.fc2 = nn.Linear(width, width)
        self.drop = nn.Dropout(p)
        self.out = nn.Linear(width, n_out)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.drop(F.relu(self.fc2(x)))
        return self.out(x)


def train(model, loader, optimizer, epoch, log_every=20):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % log_every == 0 and epoch % 10 == 0:
            print(f"epoch {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}] loss {loss.item():.4f}")


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    total, correct = 0.0, 0
    for data, target in loader:
        out = model(data)
        total += F.cross_entropy(out, target, reduction="sum").item()
        correct += (out.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    return total / n, correct / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()
    torch.manual_seed(0)

    X, y, day = make_season()
    # time-ordered split: latest 20% of the season for validation
    order = np.argsort(day, kind="stable")
    X, y = X[order], y[order]
    n_tr = int(0.8 * len(X))
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    train_loader = DataLoader(TensorDataset(Xt[:n_tr], yt[:n_tr]), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xt[n_tr:], yt[n_tr:]), batch_size=256)

    model = GradeNet(X.shape[1], len(GRADES))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=12, gamma=0.3)
    for epoch in range(1, args.epochs + 1):
        train(model, train_loader, optimizer, epoch)
        scheduler.step()
        if epoch % 10 == 0:
            vl, va = evaluate(model, val_loader)
            print(f"epoch {epoch} val_loss {vl:.4f} val_acc {va:.4f}")
    tl, ta = evaluate(model, train_loader)
    vl, va = evaluate(model, val_loader)
    print(f"final train_acc {ta:.4f} val_loss {vl:.4f} val_acc {va:.4f}")


if __name__ == "__main__":
    main()
