"""Mosaic workshop: sort smalti tesserae from the cutting bench.

A line camera photographs each tessera on a dark belt (16x16 grey crops). Before they go
into the colour bins we reject chipped, cracked and pitted pieces. Small CNN, trained
with a hand-rolled SGD loop (the bench PC runs this nightly on fresh crops).

    python mosaic_tessera_qc.py --epochs 14
"""
import argparse
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["sound", "chipped", "cracked", "pitted"]
S = 16


def render(kind, rng):
    yy, xx = np.mgrid[0:S, 0:S]
    img = np.full((S, S), 0.08)
    half = rng.uniform(4.5, 6.5)
    cy, cx = S / 2 + rng.uniform(-1, 1), S / 2 + rng.uniform(-1, 1)
    body = (np.abs(yy - cy) < half) & (np.abs(xx - cx) < half)
    tone = rng.uniform(0.45, 0.9)
    img[body] = tone + rng.normal(0, 0.04, body.sum())
    if kind == 1:                          # a corner knocked off by the hardie
        sy, sx = rng.choice([-1, 1], 2)
        cut = rng.uniform(2.5, 4.5)
        corner = (sy * (yy - cy) + sx * (xx - cx)) > (2 * half - cut)
        img[body & corner] = 0.08
    elif kind == 2:                        # hairline crack across the face
        a = rng.uniform(0, np.pi)
        d = np.abs((yy - cy) * np.cos(a) - (xx - cx) * np.sin(a) - rng.uniform(-2, 2))
        img[body & (d < 0.6)] *= 0.45
    elif kind == 3:                        # pits from trapped air in the glass cake
        for _ in range(rng.integers(2, 5)):
            py, px = cy + rng.uniform(-half + 1, half - 1, 2)
            img[body & ((yy - py) ** 2 + (xx - px) ** 2 < 1.2)] *= 0.55
    img += rng.normal(0, 0.03, (S, S))
    return img.astype(np.float32)


def make_split(n_per_class, seed):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k in range(len(CLASSES)):
        xs += [render(k, rng) for _ in range(n_per_class)]
        ys += [k] * n_per_class
    X = torch.tensor(np.stack(xs))[:, None]
    return X, torch.tensor(ys)


class TesseraNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(),
            nn.Dropout(0.3), nn.Linear(64, n_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def evaluate(model, loader):
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            n += len(y)
    return total / n, correct / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=14)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    torch.manual_seed(0)
    X_tr, y_tr = make_split(500, seed=1)
    X_va, y_va = make_split(200, seed=2)
    mean, std = X_tr.mean(), X_tr.std()
    X_tr, X_va = (X_tr - mean) / std, (X_va - mean) / std
    train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(X_va, y_va), batch_size=100)

    model = TesseraNet(len(CLASSES))
    steps = args.epochs * len(train_loader)
    step = 0
    for epoch in range(args.epochs):
        model.train()
        for x, y in train_loader:
            lr = 0.5 * args.lr * (1 + math.cos(math.pi * step / steps))
            loss = F.cross_entropy(model(x), y)
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            step += 1
        val_loss, val_acc = evaluate(model, val_loader)
        print(f"epoch {epoch + 1:2d}  train_loss {loss.item():.4f}  val_loss {val_loss:.4f}  val_acc {val_acc:.4f}")
    print(f"final val_loss {val_loss:.4f} val_acc {val_acc:.4f}")


if __name__ == "__main__":
    main()
