"""Classify procedurally rendered shapes (disc, square, triangle, ring, cross)
on 20x20 noisy canvases with a small plain CNN trained by SGD with momentum,
in the style of the PyTorch MNIST example (train/test functions, argparse).
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

SIZE = 20
CLASSES = ["disc", "square", "triangle", "ring", "cross"]


def render(kind, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    r = rng.uniform(3.5, 7.0)
    cx, cy = rng.uniform(r + 1, SIZE - r - 1, size=2)
    dx, dy = xx - cx, yy - cy
    if kind == "disc":
        m = dx ** 2 + dy ** 2 <= r ** 2
    elif kind == "square":
        m = (np.abs(dx) <= r * 0.8) & (np.abs(dy) <= r * 0.8)
    elif kind == "triangle":
        m = (dy <= r * 0.7) & (dy >= -r * 0.9 + 1.8 * np.abs(dx))
    elif kind == "ring":
        d2 = dx ** 2 + dy ** 2
        m = (d2 <= r ** 2) & (d2 >= (r * 0.55) ** 2)
    else:  # cross
        w = max(1.0, r * 0.3)
        m = ((np.abs(dx) <= w) & (np.abs(dy) <= r)) | ((np.abs(dy) <= w) & (np.abs(dx) <= r))
    img = m.astype(np.float32) * rng.uniform(0.6, 1.0)
    img += rng.normal(0, 0.25, img.shape).astype(np.float32)
    return img


def make_split(n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CLASSES), size=n)
    imgs = np.stack([render(CLASSES[k], rng) for k in labels])
    imgs = (imgs - 0.2) / 0.4
    return torch.from_numpy(imgs[:, None].astype(np.float32)), torch.from_numpy(labels.astype(np.int64))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(64 * 5 * 5, 128)
        self.fc2 = nn.Linear(128, len(CLASSES))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)   # 10x10
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)   # 5x5
        x = F.relu(self.conv3(x))
        x = self.dropout(torch.flatten(x, 1))
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def train(args, model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
    test_loss /= len(loader.dataset)
    acc = correct / len(loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(loader.dataset)} ({100 * acc:.1f}%)")
    return test_loss, acc


def main():
    parser = argparse.ArgumentParser(description="shapes CNN")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    X_tr, y_tr = make_split(4000, seed=args.seed)
    X_te, y_te = make_split(1000, seed=args.seed + 100)
    train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(X_te, y_te), batch_size=500)

    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        loss, acc = test(model, test_loader)
    print(f"final test_acc={acc:.4f} test_loss={loss:.4f}")


if __name__ == "__main__":
    main()
