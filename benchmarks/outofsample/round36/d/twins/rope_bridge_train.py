"""Crossing type on a rope suspension footbridge from deck accelerometer windows.

A trail authority instruments its rope bridges with a 3-axis accelerometer at mid-span.
Each 6.4 s window (128 samples at 20 Hz) is labelled from a trail camera: wind only, single
walker, group, runner, pack animal. Model: a small 1-D CNN with attention pooling over time,
trained with SGD + momentum and a step schedule, in the style of the PyTorch examples.
"""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["wind", "walker", "group", "runner", "pack_animal"]
FS, N = 20.0, 128


def synth_windows(n, rng):
    y = rng.integers(0, 5, n)
    t = np.arange(N) / FS
    X = np.zeros((n, 3, N), np.float32)
    for i in range(n):
        f0 = rng.normal(1.1, 0.08)                       # first lateral mode of the span
        sway = rng.normal(0.3, 0.1) * np.sin(2 * np.pi * f0 * t + rng.uniform(0, 6.3))
        vert = np.zeros(N)
        lat = sway.copy()
        c = y[i]
        if c == 1:
            fp = rng.normal(1.9, 0.15)
            vert += 0.5 * np.abs(np.sin(np.pi * fp * t + rng.uniform(0, 3)))
            lat += 0.15 * np.sin(np.pi * fp * t)
        elif c == 2:
            for _ in range(rng.integers(3, 7)):
                fp = rng.normal(1.8, 0.2)
                vert += 0.3 * np.abs(np.sin(np.pi * fp * t + rng.uniform(0, 3)))
            lat += 0.4 * np.sin(2 * np.pi * f0 * t) * (t / t[-1])
        elif c == 3:
            fp = rng.normal(2.8, 0.2)
            vert += 0.9 * np.abs(np.sin(np.pi * fp * t + rng.uniform(0, 3))) ** 3
        elif c == 4:
            fp = rng.normal(1.4, 0.1)
            for ph in (0.0, 0.25, 0.5, 0.75):
                vert += 0.35 * np.clip(np.sin(2 * np.pi * fp * (t + ph / fp)), 0, None) ** 2
            lat += 0.2 * np.sin(2 * np.pi * 0.7 * t)
        gust = rng.normal(0, rng.uniform(0.05, 0.35), N).cumsum() * 0.05
        X[i, 0] = lat + gust + rng.normal(0, 0.08, N)
        X[i, 1] = 0.5 * lat + rng.normal(0, 0.08, N)
        X[i, 2] = vert - vert.mean() + rng.normal(0, 0.1, N)
    return X, y.astype(np.int64)


class AttnPoolCNN(nn.Module):
    def __init__(self, n_classes=5, width=64):
        super().__init__()
        self.conv1 = nn.Conv1d(3, 32, 7, padding=3)
        self.conv2 = nn.Conv1d(32, width, 5, padding=2)
        self.conv3 = nn.Conv1d(width, width, 5, padding=2)
        self.query = nn.Parameter(torch.randn(width) / math.sqrt(width))
        self.fc1 = nn.Linear(width, 128)
        self.fc2 = nn.Linear(128, n_classes)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.conv1(x)), 2)
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        h = F.relu(self.conv3(x)).transpose(1, 2)               # (B, T, C)
        scores = h @ self.query / math.sqrt(h.size(-1))
        pooled = (F.softmax(scores, dim=1).unsqueeze(-1) * h).sum(1)
        z = F.relu(self.fc1(pooled))
        return self.fc2(z)


def train(model, loader, optimizer, epoch):
    model.train()
    total, n = 0.0, 0
    for data, target in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(target)
        n += len(target)
    print(f"epoch {epoch}: train loss {total / n:.4f}")


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    loss, correct = 0.0, 0
    for data, target in loader:
        out = model(data)
        loss += F.cross_entropy(out, target, reduction="sum").item()
        correct += (out.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    return loss / n, correct / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    X, y = synth_windows(2500, rng)
    Xtr, ytr, Xte, yte = X[:2000], y[:2000], X[2000:], y[2000:]
    mu = Xtr.mean(axis=(0, 2), keepdims=True)
    sd = Xtr.std(axis=(0, 2), keepdims=True)
    train_loader = DataLoader(TensorDataset(torch.tensor((Xtr - mu) / sd), torch.tensor(ytr)),
                              batch_size=32, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.tensor((Xte - mu) / sd), torch.tensor(yte)),
                             batch_size=250)

    model = AttnPoolCNN()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.3)
    for epoch in range(1, args.epochs + 1):
        train(model, train_loader, optimizer, epoch)
        scheduler.step()
    test_loss, test_acc = evaluate(model, test_loader)
    print(f"final test_loss {test_loss:.4f} test_acc {test_acc:.4f}")


if __name__ == "__main__":
    main()
