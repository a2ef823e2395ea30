"""Wafer-map defect pattern classifier (small CNN, in the style of the PyTorch MNIST example).

Synthetic 24x24 wafer bin maps with four patterns: none, center, edge-ring, scratch.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

SIZE = 24


def wafer_maps(n, rng):
    yy, xx = np.mgrid[:SIZE, :SIZE]
    c = (SIZE - 1) / 2
    r = np.sqrt((yy - c) ** 2 + (xx - c) ** 2) / c
    inside = r <= 1.0
    maps = np.zeros((n, SIZE, SIZE), dtype=np.float32)
    labels = rng.integers(0, 4, n)
    for i, lab in enumerate(labels):
        p = np.full((SIZE, SIZE), rng.uniform(0.03, 0.12))
        if lab == 1:
            p += 0.55 * np.exp(-(r / rng.uniform(0.25, 0.45)) ** 2)
        elif lab == 2:
            p += 0.55 * (r > rng.uniform(0.72, 0.85))
        elif lab == 3:
            ang = rng.uniform(0, np.pi)
            off = rng.uniform(-0.4, 0.4) * c
            d = np.abs((xx - c) * np.sin(ang) - (yy - c) * np.cos(ang) - off)
            p += 0.7 * (d < rng.uniform(0.7, 1.3))
        fail = rng.random((SIZE, SIZE)) < np.clip(p, 0, 1)
        maps[i] = np.where(inside, np.where(fail, 1.0, -1.0), 0.0)
    return maps[:, None], labels


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, 1, padding=1)
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(32 * 6 * 6, 64)
        self.fc2 = nn.Linear(64, 4)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = self.dropout(torch.flatten(x, 1))
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def train(args, model, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]\tLoss: {loss.item():.6f}")
        optimizer.step()


def test(model, test_loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(dim=1) == target).sum().item()
    n = len(test_loader.dataset)
    print(f"Test set: Average loss: {test_loss / n:.4f}, Accuracy: {correct}/{n} ({100.0 * correct / n:.1f}%)")
    return correct / n


def main():
    parser = argparse.ArgumentParser(description="wafer map CNN")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--log-interval", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x, y = wafer_maps(3000, rng)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    train_loader = DataLoader(TensorDataset(x[:2400], y[:2400]), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(x[2400:], y[2400:]), batch_size=500)

    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = StepLR(optimizer, step_size=3, gamma=args.gamma)
    acc = 0.0
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        acc = test(model, test_loader)
        scheduler.step()
    print(f"final test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
