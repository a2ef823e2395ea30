"""Ice-skate blade edge grading from profilometer traces.

A hollow-grind profilometer sweeps across the blade and returns 128 height samples.
Technicians grade the edge: 0 sharp, 1 burr, 2 rounded, 3 nicked.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset


def make_traces(n, rng, length=128):
    t = np.linspace(-1.0, 1.0, length)
    grade = rng.integers(0, 4, size=n)
    depth = rng.uniform(0.8, 1.2, size=(n, 1))
    width = rng.uniform(0.55, 0.75, size=(n, 1))
    base = -depth * np.exp(-(t[None, :] / width) ** 2)  # hollow
    x = base + 0.06 * rng.standard_normal((n, length))
    x += 0.03 * np.cumsum(rng.standard_normal((n, length)), axis=1) / np.sqrt(length)
    for i in range(n):
        g = grade[i]
        if g == 1:  # burr: thin ridges at the two edges
            for side in (-1, 1):
                c = side * rng.uniform(0.78, 0.92)
                x[i] += rng.uniform(0.15, 0.3) * np.exp(-((t - c) / 0.025) ** 2)
        elif g == 2:  # rounded edges: shoulders drop off
            x[i] -= rng.uniform(0.15, 0.3) * (np.abs(t) > 0.75) * (np.abs(t) - 0.75) / 0.25
        elif g == 3:  # nick somewhere on the hollow
            c = rng.uniform(-0.6, 0.6)
            x[i] -= rng.uniform(0.15, 0.3) * np.exp(-((t - c) / 0.03) ** 2)
    x += rng.normal(0, 0.2, size=(n, 1))  # stage height offset
    return x.astype(np.float32), grade.astype(np.int64)


class EdgeNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, 7, padding=3)
        self.conv2 = nn.Conv1d(16, 32, 5, padding=2)
        self.conv3 = nn.Conv1d(32, 32, 5, padding=2)
        self.fc1 = nn.Linear(32 * 16, 64)
        self.fc2 = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.conv1(x)), 2)
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        x = F.max_pool1d(F.relu(self.conv3(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def init_weights(m):
    if isinstance(m, (nn.Conv1d, nn.Linear)):
        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        nn.init.constant_(m.bias, 0.0)


def train(args, model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.4f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(dim=1) == target).sum().item()
    n = len(loader.dataset)
    test_loss /= n
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{n} ({100.0 * correct / n:.1f}%)")
    return test_loss, correct / n


def main():
    parser = argparse.ArgumentParser(description="skate edge grading")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--gamma", type=float, default=0.85)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    X, y = make_traces(3600, rng)
    X_tr, y_tr, X_te, y_te = X[:2800], y[:2800], X[2800:], y[2800:]
    mu, sd = X_tr.mean(), X_tr.std()
    X_tr, X_te = (X_tr - mu) / sd, (X_te - mu) / sd

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr)[:, None], torch.from_numpy(y_tr)),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(X_te)[:, None], torch.from_numpy(y_te)),
                             batch_size=256)

    model = EdgeNet()
    model.apply(init_weights)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        _, acc = test(model, test_loader)
        scheduler.step()
    print(f"final val_accuracy={acc:.4f}")


if __name__ == "__main__":
    main()
