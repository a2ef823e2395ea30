"""Marquetry workshop: identify the veneer species from a 20x20 macro scan of a leaf.

Scans come off the light box as greyscale tiles. Species differ in figure: straight
stripe, ray fleck, birdseye, fiddleback ripple, burl. Small CNN, trained the way the
PyTorch MNIST example does it, keeping the best checkpoint by validation accuracy.
"""
import argparse
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

SPECIES = ["zebrano", "oak_quarter", "maple_birdseye", "sycamore_fiddle", "walnut_burl", "ash_crown"]


def scan_tile(kind, rng, size=20):
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    ang = rng.uniform(-0.35, 0.35)
    u = np.cos(ang) * xx + np.sin(ang) * yy
    v = -np.sin(ang) * xx + np.cos(ang) * yy
    f = rng.uniform(5, 8)
    ph = rng.uniform(0, 2 * np.pi)
    if kind == 0:                                   # hard straight stripes
        img = np.sign(np.sin(2 * np.pi * f * u + ph)) * 0.6
    elif kind == 1:                                 # fine grain plus ray flecks
        img = 0.3 * np.sin(2 * np.pi * 2 * f * u + ph)
        for _ in range(rng.integers(2, 5)):
            cx, cy = rng.uniform(0, 1, 2)
            img += 0.9 * np.exp(-((u - cx) ** 2 / 0.002 + (v - cy) ** 2 / 0.03))
    elif kind == 2:                                 # small dark eyes on soft grain
        img = 0.25 * np.sin(2 * np.pi * f * u + ph)
        for _ in range(rng.integers(5, 10)):
            cx, cy = rng.uniform(0, 1, 2)
            img -= 0.8 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 0.0015)
    elif kind == 3:                                 # ripple across the grain
        img = 0.3 * np.sin(2 * np.pi * f * u + ph) + 0.5 * np.sin(2 * np.pi * 1.3 * f * v + ph)
    elif kind == 4:                                 # burl: swirls
        cx, cy = rng.uniform(0.3, 0.7, 2)
        r = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
        img = 0.6 * np.sin(2 * np.pi * f * r + 3 * np.arctan2(yy - cy, xx - cx) + ph)
    else:                                           # crown cut: nested arches
        cx = rng.uniform(0.3, 0.7)
        img = 0.6 * np.sin(2 * np.pi * f * (yy + 2.5 * (xx - cx) ** 2) + ph)
    img = img + rng.normal(scale=0.55, size=img.shape) + rng.uniform(-0.3, 0.3)
    return img.astype(np.float32)


def make_split(n, rng):
    y = rng.integers(0, len(SPECIES), size=n)
    x = np.stack([scan_tile(k, rng) for k in y])[:, None]
    return torch.tensor(x), torch.tensor(y)


class VeneerNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.dropout1 = nn.Dropout(0.25)
        self.fc1 = nn.Linear(32 * 5 * 5, 64)
        self.dropout2 = nn.Dropout(0.5)
        self.fc2 = nn.Linear(64, len(SPECIES))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = self.dropout1(torch.flatten(x, 1))
        x = self.dropout2(F.relu(self.fc1(x)))
        return self.fc2(x)


def train(args, model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.4f}")


def test(model, loader):
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    return test_loss / n, correct / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=9)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--gamma", type=float, default=0.75)
    parser.add_argument("--log-interval", type=int, default=20)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    train_set = TensorDataset(*make_split(1600, rng))
    val_set = TensorDataset(*make_split(500, rng))
    test_set = TensorDataset(*make_split(500, rng))
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=200)
    test_loader = DataLoader(test_set, batch_size=200)

    model = VeneerNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    ckpt = os.path.join(tempfile.mkdtemp(), "veneer_best.pt")
    best = -1.0
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        val_loss, val_acc = test(model, val_loader)
        print(f"Epoch {epoch}: val loss {val_loss:.4f}, val acc {val_acc:.4f}")
        if val_acc > best:
            best = val_acc
            torch.save(model, ckpt)
        scheduler.step()

    model = torch.load(ckpt, weights_only=False)
    test_loss, test_acc = test(model, test_loader)
    print(f"FINAL test_loss {test_loss:.4f} test_acc {test_acc:.4f} (best val acc {best:.4f})")


if __name__ == "__main__":
    main()
