"""Wafer-map defect pattern classification (WM-811K-style patterns, simulated):
a small CNN trained step-wise from an endless loader, with an EMA copy of the
weights used for evaluation.
"""
import argparse
import copy
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

PATTERNS = ["none", "center", "donut", "edge-ring", "edge-loc", "local", "scratch", "random"]
S = 24


def wafer(kind, rng):
    yy, xx = np.mgrid[:S, :S]
    cx = cy = (S - 1) / 2
    r = np.hypot(xx - cx, yy - cy) / (S / 2)
    on = r <= 1.0
    p = np.full((S, S), rng.uniform(0.03, 0.12))
    if kind == 1:
        p += 0.45 * (r < rng.uniform(0.2, 0.35))
    elif kind == 2:
        r0 = rng.uniform(0.4, 0.6)
        p += 0.45 * (np.abs(r - r0) < 0.1)
    elif kind == 3:
        p += 0.45 * (r > rng.uniform(0.82, 0.9))
    elif kind == 4:
        a = rng.uniform(0, 2 * math.pi)
        ex, ey = cx + 0.85 * S / 2 * math.cos(a), cy + 0.85 * S / 2 * math.sin(a)
        p += 0.45 * (np.hypot(xx - ex, yy - ey) < rng.uniform(3, 5))
    elif kind == 5:
        a, rr = rng.uniform(0, 2 * math.pi), rng.uniform(0.1, 0.55) * S / 2
        lx, ly = cx + rr * math.cos(a), cy + rr * math.sin(a)
        p += 0.45 * (np.hypot(xx - lx, yy - ly) < rng.uniform(2, 3.5))
    elif kind == 6:
        a = rng.uniform(0, math.pi)
        x0, y0 = rng.uniform(6, 18, 2)
        d = np.abs((xx - x0) * math.sin(a) - (yy - y0) * math.cos(a))
        along = np.abs((xx - x0) * math.cos(a) + (yy - y0) * math.sin(a))
        p += 0.45 * ((d < 0.8) & (along < rng.uniform(5, 9)))
    elif kind == 7:
        p += rng.uniform(0.2, 0.35)
    fail = (rng.random((S, S)) < np.clip(p, 0, 1)) & on
    return np.stack([on, fail]).astype(np.float32)


def make(n, rng):
    y = rng.integers(len(PATTERNS), size=n)
    X = np.stack([wafer(k, rng) for k in y])
    return torch.tensor(X), torch.tensor(y)


class WaferNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 3 * 3, 64)
        self.out = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        return self.out(F.relu(self.fc(torch.flatten(x, 1))))


@torch.no_grad()
def ema_update(ema, model, step, max_decay=0.999):
    decay = min(max_decay, (1 + step) / (10 + step))
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct = total = 0
    loss = 0.0
    for xb, yb in loader:
        out = model(xb)
        loss += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
        total += len(yb)
    return loss / total, correct / total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    Xtr, ytr = make(1600, rng)
    Xva, yva = make(600, rng)
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=args.batch_size, shuffle=True, drop_last=True)
    val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=200)

    model = WaferNet(len(PATTERNS))
    ema = copy.deepcopy(model)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    total_steps = args.epochs * len(train_loader) // args.batch_size
    log_every = max(1, total_steps // 10)
    step = 0
    it = iter(train_loader)
    model.train()
    while step < total_steps:
        try:
            xb, yb = next(it)
        except StopIteration:
            it = iter(train_loader)
            xb, yb = next(it)
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        ema_update(ema, model, step)
        step += 1
        if step % log_every == 0:
            print(f"step {step:5d}/{total_steps} loss {loss.item():.4f}")

    val_loss, val_acc = evaluate(ema, val_loader)
    print(f"final EMA val_acc {val_acc:.4f} val_loss {val_loss:.4f}")


if __name__ == "__main__":
    main()
