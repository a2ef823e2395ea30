"""Rope-bridge deck monitoring: classify 4 s accelerometer windows.

A tri-axial accelerometer (vertical, lateral, longitudinal; 50 Hz) is lashed to
the mid-span deck of a footpath rope bridge. Each window is labelled by the
ranger's log: normal foot traffic, wind gusting, a loose plank rattling, or
slack in a hand-line cable. 1-D CNN, training loop in the style of the PyTorch
examples.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

FS = 50
WIN = 200
STATES = ["foot_traffic", "wind", "loose_plank", "slack_cable"]


def deck_windows(n, rng):
    t = np.arange(WIN) / FS
    y = rng.integers(0, 4, n)
    X = np.zeros((n, 3, WIN))
    for i, c in enumerate(y):
        step_hz = rng.uniform(1.6, 2.3)
        deck_hz = rng.uniform(1.1, 1.5) if c != 3 else rng.uniform(0.7, 1.0)
        walkers = rng.uniform(0.4, 1.0) if c != 1 else rng.uniform(0.0, 0.4)
        ph = rng.uniform(0, 2 * np.pi, 4)
        vert = walkers * np.sin(2 * np.pi * step_hz * t + ph[0]) + 0.5 * np.sin(2 * np.pi * deck_hz * t + ph[1])
        lat = 0.3 * walkers * np.sin(np.pi * step_hz * t + ph[2])
        lon = 0.15 * walkers * np.sin(2 * np.pi * step_hz * t + ph[3])
        if c == 1:
            gust = np.convolve(rng.normal(0, 1, WIN + 40), np.hanning(40) / 8, mode="same")[20:WIN + 20]
            lat += 0.9 * gust + 0.3 * np.sin(2 * np.pi * rng.uniform(0.2, 0.5) * t)
            vert += 0.3 * gust
        if c == 2:
            hits = np.where(np.diff(np.sign(np.sin(2 * np.pi * step_hz * t + ph[0]))) > 0)[0]
            for h in hits[rng.random(len(hits)) < 0.7]:
                k = np.arange(min(12, WIN - h))
                vert[h:h + len(k)] += rng.uniform(0.3, 0.8) * np.exp(-k / 3) * np.sin(2 * np.pi * 11 * k / FS)
        if c == 3:
            vert *= rng.uniform(1.2, 1.6)
            lat += 0.25 * np.sin(2 * np.pi * deck_hz * t + ph[1])
        X[i] = np.stack([vert, lat, lon]) + rng.normal(0, 0.15, (3, WIN))
    return X.astype(np.float32), y


class DeckNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(3, 24, 7, padding=3)
        self.conv2 = nn.Conv1d(24, 48, 5, padding=2)
        self.conv3 = nn.Conv1d(48, 64, 5, padding=2)
        self.dropout = nn.Dropout(0.2)
        self.fc1 = nn.Linear(64, 64)
        self.fc2 = nn.Linear(64, len(STATES))

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.conv1(x)), 2)
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.conv3(x))
        x = torch.flatten(F.adaptive_avg_pool1d(x, 1), 1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    acc = correct / len(test_loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(test_loader.dataset)} ({100. * acc:.1f}%)")
    return test_loss, acc


def main():
    parser = argparse.ArgumentParser(description="rope-bridge deck state")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--test-batch-size", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=0.05, help="learning rate (default: 0.05)")
    parser.add_argument("--gamma", type=float, default=0.85, help="learning rate step gamma (default: 0.85)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    device = torch.device("cpu")

    X_tr, y_tr = deck_windows(1600, rng)
    X_te, y_te = deck_windows(400, rng)
    mean = X_tr.mean(axis=(0, 2), keepdims=True)
    std = X_tr.std(axis=(0, 2), keepdims=True)
    X_tr, X_te = (X_tr - mean) / std, (X_te - mean) / std

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(X_te), torch.from_numpy(y_te)),
                             batch_size=args.test_batch_size)

    model = DeckNet().to(device)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        test_loss, acc = test(model, device, test_loader)
        scheduler.step()
    print(f"final test_loss {test_loss:.4f}  test_acc {acc:.4f}")


if __name__ == "__main__":
    main()
