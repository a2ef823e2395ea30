"""Classify the condition of concert-harp strings from a 128 ms pluck recording.

A technician plucks each string with a contact mic clipped to the soundboard; the
recording (8 kHz) is labelled good / worn / false (two close partials beating) /
buzzing (touching a neighbour) / slipping (pitch sagging at the tuning pin).
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

CONDITIONS = ["good", "worn", "false", "buzzing", "slipping"]
SR, LEN = 8000, 1024


def pluck(cond, rng):
    t = np.arange(LEN) / SR
    f0 = 65.0 * 2 ** (rng.integers(0, 36) / 12)             # C2 .. B4
    decay = rng.uniform(3, 6) * (3.0 if cond == 1 else 1.0)
    inharm = 1e-4 * (8.0 if cond == 1 else 1.0)
    sweep = -rng.uniform(0.02, 0.05) * t / t[-1] if cond == 4 else 0.0
    x = np.zeros(LEN)
    for k in range(1, 9):
        fk = k * f0 * np.sqrt(1 + inharm * k * k) * (1 + sweep)
        amp = rng.uniform(0.4, 1.0) / k
        x += amp * np.sin(2 * np.pi * fk * t + rng.uniform(0, 2 * np.pi))
        if cond == 2 and k <= 3:
            x += amp * np.sin(2 * np.pi * (fk + rng.uniform(3, 9)) * t)
    x *= np.exp(-decay * t)
    if cond == 3:
        x = np.clip(x, -0.45, 0.45) + 0.15 * np.sign(x) * (np.abs(x) > 0.45)
    x += rng.normal(0, 0.03, size=LEN)
    return x / (np.abs(x).max() + 1e-8)


def make_split(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(CONDITIONS), size=n)
    X = np.stack([pluck(c, rng) for c in y]).astype(np.float32)[:, None, :]
    return torch.from_numpy(X), torch.from_numpy(y)


class PluckNet(nn.Module):
    def __init__(self, n_classes=len(CONDITIONS)):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, 9, stride=2, padding=4)
        self.bn1 = nn.BatchNorm1d(16)
        self.conv2 = nn.Conv1d(16, 32, 9, stride=2, padding=4)
        self.bn2 = nn.BatchNorm1d(32)
        self.conv3 = nn.Conv1d(32, 32, 9, stride=2, padding=4)
        self.bn3 = nn.BatchNorm1d(32)
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool1d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.bn3(self.conv3(x)))
        x = torch.cat([x.mean(-1), x.amax(-1)], dim=1)
        return self.fc(x)


def train(args, model, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=args.clip)
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]"
                  f"\tLoss: {loss.item():.4f}")


def test(model, test_loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
    n = len(test_loader.dataset)
    test_loss /= n
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{n} ({correct / n:.3f})")
    return correct / n


def main():
    parser = argparse.ArgumentParser(description="harp string condition")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--gamma", type=float, default=0.5)
    parser.add_argument("--clip", type=float, default=5.0)
    parser.add_argument("--log-interval", type=int, default=40)
    args = parser.parse_args()
    torch.manual_seed(3)

    Xtr, ytr = make_split(1600, seed=1)
    Xte, yte = make_split(500, seed=2)
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(Xte, yte), batch_size=250)

    model = PluckNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = StepLR(optimizer, step_size=2, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        acc = test(model, test_loader)
        scheduler.step()
    print(f"final test accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
