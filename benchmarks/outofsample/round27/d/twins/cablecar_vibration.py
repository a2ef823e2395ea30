"""Cable-car line monitoring: classify 2-axis accelerometer windows recorded on the
grip of a passing cabin into tower-sheave conditions.

Classes: 0 normal, 1 worn sheave liner (extra harmonic), 2 misaligned sheave train
(low-frequency sway + lateral bias), 3 damaged bearing (periodic impacts).
Written after the layout of the official PyTorch MNIST example.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

FS = 200  # Hz
WIN = 256


def make_windows(n, rng):
    t = np.arange(WIN) / FS
    X = np.zeros((n, 2, WIN), dtype=np.float32)
    y = rng.integers(0, 4, size=n)
    for i in range(n):
        speed = rng.uniform(4.0, 6.0)                   # m/s line speed
        f_roll = speed * rng.uniform(2.8, 3.2)           # roller passing frequency
        ph = rng.uniform(0, 2 * np.pi, 3)
        vert = 0.6 * np.sin(2 * np.pi * f_roll * t + ph[0])
        lat = 0.3 * np.sin(2 * np.pi * 0.7 * t + ph[1])
        c = y[i]
        if c == 1:
            vert += 0.35 * np.sin(2 * np.pi * 3 * f_roll * t + ph[2])
        elif c == 2:
            lat += 0.45 * np.sin(2 * np.pi * 1.6 * t + ph[2]) + 0.25
        elif c == 3:
            period = int(FS / rng.uniform(7.0, 9.0))
            start = rng.integers(0, period)
            for k in range(start, WIN, period):
                L = min(6, WIN - k)
                vert[k:k + L] += 1.4 * np.exp(-np.arange(L) / 1.5) * rng.choice([-1, 1])
        X[i, 0] = vert + rng.normal(0, 0.25, WIN)
        X[i, 1] = lat + rng.normal(0, 0.25, WIN)
    return X, y


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(2, 16, 7, padding=3)
        self.conv2 = nn.Conv1d(16, 32, 5, padding=2)
        self.conv3 = nn.Conv1d(32, 32, 5, padding=2)
        self.dropout = nn.Dropout(0.2)
        self.fc1 = nn.Linear(64, 64)
        self.fc2 = nn.Linear(64, 4)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.conv1(x)), 2)
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.conv3(x))
        x = torch.cat([x.mean(-1), x.amax(-1)], dim=1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


def test(model, device, test_loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            pred = model(data).argmax(dim=1)
            correct += pred.eq(target).sum().item()
    return correct / len(test_loader.dataset)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--log-interval", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    device = torch.device("cpu")

    Xtr, ytr = make_windows(1600, rng)
    Xte, yte = make_windows(400, rng)
    mu = Xtr.mean(axis=(0, 2), keepdims=True)
    sd = Xtr.std(axis=(0, 2), keepdims=True)
    train_ds = TensorDataset(torch.from_numpy((Xtr - mu) / sd), torch.from_numpy(ytr))
    test_ds = TensorDataset(torch.from_numpy((Xte - mu) / sd), torch.from_numpy(yte))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_ds, batch_size=256)

    model = Net().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    criterion = nn.CrossEntropyLoss()
    xb, yb = next(iter(train_loader))
    print("batch:", tuple(xb.shape), "classes in batch:", torch.bincount(yb, minlength=4).tolist())

    for epoch in range(1, args.epochs + 1):
        model.train()
        for batch_idx, (data, target) in enumerate(train_loader):
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            loss = criterion(model(data), target)
            loss.backward()
            optimizer.step()
            if batch_idx % args.log_interval == 0:
                print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]\tLoss: {loss.item():.4f}")
        acc = test(model, device, test_loader)
        print(f"Test set: epoch {epoch} accuracy {acc:.4f}")
    print(f"final test accuracy: {acc:.4f}")


if __name__ == "__main__":
    main()
