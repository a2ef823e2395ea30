"""Grapevine leaf disease from close-up field-camera tiles (28x28 RGB crops of a leaf blade).

Classes: healthy, downy mildew (diffuse yellow oil spots), powdery mildew (fine white bloom),
black rot (dark round lesions with a pale rim), esca (interveinal "tiger stripe" discolouration).
Structured like the PyTorch MNIST example: train()/test() functions and a StepLR schedule.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["healthy", "downy", "powdery", "black_rot", "esca"]
S = 28


def leaf_tiles(n, rng):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32) / S
    y = rng.integers(0, len(CLASSES), n)
    imgs = np.empty((n, 3, S, S), dtype=np.float32)
    for i in range(n):
        ang = rng.uniform(0, np.pi)
        u = np.cos(ang) * xx + np.sin(ang) * yy
        v = -np.sin(ang) * xx + np.cos(ang) * yy
        veins = np.exp(-((np.mod(u * rng.uniform(2.5, 4.0) + rng.uniform(0, 1), 1.0) - 0.5) ** 2) / 0.004)
        light = rng.uniform(0.7, 1.2) * (1 + 0.2 * (xx - 0.5) * rng.normal())
        r = 0.25 + 0.05 * veins
        g = 0.55 + 0.12 * veins
        b = 0.20 + 0.04 * veins
        c = y[i]
        if c == 1:
            for _ in range(rng.integers(2, 5)):
                cx, cy, rad = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0.08, 0.18)
                m = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / rad ** 2)
                r = r + 0.2 * m
                g = g + 0.08 * m
        elif c == 2:
            bloom = (rng.random((S, S)) < rng.uniform(0.06, 0.16)).astype(np.float32)
            r, g, b = r + 0.28 * bloom, g + 0.2 * bloom, b + 0.3 * bloom
        elif c == 3:
            for _ in range(rng.integers(1, 4)):
                cx, cy, rad = rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85), rng.uniform(0.05, 0.1)
                d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
                core = 0.7 * (d < rad).astype(np.float32)
                rim = 0.7 * ((d >= rad) & (d < rad * 1.5)).astype(np.float32)
                r = r * (1 - core) + 0.18 * core + 0.2 * rim
                g = g * (1 - core) + 0.12 * core + 0.1 * rim
                b = b * (1 - core) + 0.08 * core
        elif c == 4:
            stripes = np.clip(np.sin(v * rng.uniform(8, 14) * np.pi), 0, 1) * (1 - veins)
            r = r + 0.2 * stripes
            g = g - 0.06 * stripes
        img = np.stack([r, g, b]) * light + rng.normal(0, 0.08, (3, S, S))
        imgs[i] = np.clip(img, 0, 1)
    return imgs, y.astype(np.int64)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1)
        self.conv2 = nn.Conv2d(16, 32, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(32 * 12 * 12, 64)
        self.fc2 = nn.Linear(64, len(CLASSES))

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return self.fc2(x)


def train(args, model, train_loader, optimizer, scheduler, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]\tLoss: {loss.item():.6f}")
    scheduler.step()


def test(model, test_loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += output.argmax(dim=1).eq(target).sum().item()
    n = len(test_loader.dataset)
    test_loss /= n
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{n} ({100.0 * correct / n:.1f}%)")
    return correct / n


def main():
    parser = argparse.ArgumentParser(description="vine leaf disease")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=10)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    X, y = leaf_tiles(2000, rng)
    mean = X[:1600].mean(axis=(0, 2, 3), keepdims=True)
    std = X[:1600].std(axis=(0, 2, 3), keepdims=True)
    X = (X - mean) / std
    train_loader = DataLoader(TensorDataset(torch.from_numpy(X[:1600]), torch.from_numpy(y[:1600])),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(X[1600:]), torch.from_numpy(y[1600:])),
                             batch_size=500)

    model = Net()
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, scheduler, epoch)
        acc = test(model, test_loader)
    print(f"final test accuracy: {acc:.4f}")


if __name__ == "__main__":
    main()
