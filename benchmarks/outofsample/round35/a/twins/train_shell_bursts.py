"""Fireworks display QA: identify the shell type from the 1 kHz acoustic trace that the
firing-system microphone records for each cue (0.25 s around the burst).

Shell types: 0 peony, 1 chrysanthemum, 2 willow, 3 crossette, 4 salute.
"""
import argparse
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_T = 256
NAMES = ["peony", "chrysanthemum", "willow", "crossette", "salute"]


def cue_recordings(n, rng):
    t = np.arange(N_T) / 1000.0
    y = rng.integers(0, 5, n)
    X = np.zeros((n, N_T), dtype=np.float32)
    for i, k in enumerate(y):
        t0 = rng.uniform(0.02, 0.06)
        a = rng.lognormal(0.0, 0.4)
        env = np.where(t > t0, np.exp(-(t - t0) / [0.03, 0.05, 0.11, 0.04, 0.012][k]), 0.0)
        f = [90, 140, 60, 110, 220][k] * rng.uniform(0.85, 1.15)
        s = a * env * np.sin(2 * math.pi * f * (t - t0))
        if k in (1, 3):                               # secondary break-ups after the main burst
            nb = 3 if k == 1 else 6
            for _ in range(nb):
                tb = t0 + rng.uniform(0.03, 0.12)
                s += 0.35 * a * np.where(t > tb, np.exp(-(t - tb) / 0.006), 0) * rng.normal(size=N_T)
        if k == 2:                                    # long crackle tail of the willow stars
            s += 0.12 * a * env * rng.normal(size=N_T)
        s += rng.normal(0, 0.15, N_T)                 # crowd and wind
        X[i] = s
    return X, y.astype(np.int64)


class BurstNet(nn.Module):
    def __init__(self, n_classes=5, widths=(16, 24, 32, 48, 64)):
        super().__init__()
        blocks, c_in = [], 1
        for c in widths:
            blocks += [nn.Conv1d(c_in, c, 5, padding=2, bias=False), nn.BatchNorm1d(c),
                       nn.ReLU(), nn.MaxPool1d(2)]
            c_in = c
        self.features = nn.Sequential(*blocks)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(c_in, n_classes)

    def forward(self, x):
        x = self.features(x.unsqueeze(1))
        return self.fc(self.drop(x.mean(-1)))


def train(model, loader, optimizer, scheduler):
    model.train()
    total, n = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(yb)
        n += len(yb)
    return total / n


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct, loss, n = 0, 0.0, 0
    for xb, yb in loader:
        out = model(xb)
        loss += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
        n += len(yb)
    return loss / n, correct / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "shell_bursts.pt"))
    args = ap.parse_args()
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = cue_recordings(1500, rng)
    X = X / X[:1200].std()
    train_dl = DataLoader(TensorDataset(torch.from_numpy(X[:1200]), torch.from_numpy(y[:1200])),
                          batch_size=32, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X[1200:]), torch.from_numpy(y[1200:])),
                        batch_size=300)

    model = BurstNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr,
                                                    epochs=args.epochs, steps_per_epoch=len(train_dl))
    val_loss, val_acc = evaluate(model, val_dl)
    print(f"init  val_loss {val_loss:.3f} val_acc {val_acc:.3f}")
    best = 0.0
    for epoch in range(1, args.epochs + 1):
        tr_loss = train(model, train_dl, optimizer, scheduler)
        val_loss, val_acc = evaluate(model, val_dl)
        print(f"epoch {epoch} train_loss {tr_loss:.3f} val_loss {val_loss:.3f} val_acc {val_acc:.3f}")
        if val_acc > best:
            best = val_acc
            torch.save(model.state_dict(), args.out)
    model.load_state_dict(torch.load(args.out))
    val_loss, val_acc = evaluate(model, val_dl)
    print(f"best checkpoint: val_loss {val_loss:.4f} val_acc {val_acc:.4f}")


if __name__ == "__main__":
    main()
