"""Human-activity recognition from 3-axis accelerometer windows with a small 1-D CNN.

Synthetic stand-in for a wrist-sensor dataset: six activities that differ in gait frequency,
per-axis amplitude and a slow orientation drift, recorded by 40 "subjects" with their own
sensor gain. Validation is on held-out subjects.
"""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

ACTIVITIES = ["walk", "upstairs", "downstairs", "sit", "stand", "lie"]


def make_recordings(n_subjects=40, per_subject=60, length=64, seed=0):
    rng = np.random.default_rng(seed)
    freq = np.array([1.9, 1.6, 2.2, 0.0, 0.0, 0.0])
    amp = np.array([[1.0, 0.6, 0.3], [0.9, 0.8, 0.5], [1.2, 0.5, 0.6],
                    [0.05, 0.05, 0.05], [0.08, 0.06, 0.04], [0.04, 0.05, 0.06]])
    gravity = np.array([[0.1, 0.0, 1.0], [0.2, 0.1, 0.95], [0.15, -0.1, 0.97],
                        [0.6, 0.1, 0.8], [0.05, 0.0, 1.0], [1.0, 0.05, 0.1]])
    t = np.arange(length) / 20.0  # 20 Hz
    X, y, subj = [], [], []
    for s in range(n_subjects):
        gain = rng.normal(1.0, 0.15, size=3)
        tilt = rng.normal(0.0, 0.25, size=3)
        for _ in range(per_subject):
            a = rng.integers(len(ACTIVITIES))
            f = freq[a] * rng.normal(1.0, 0.08)
            phase = rng.uniform(0, 2 * math.pi)
            sig = np.stack([amp[a, k] * np.sin(2 * math.pi * f * t + phase + k)
                            + 0.3 * amp[a, k] * np.sin(4 * math.pi * f * t + phase)
                            for k in range(3)])
            sig += (gravity[a] + tilt)[:, None]
            sig *= gain[:, None]
            sig += rng.normal(0, 0.25, size=sig.shape)
            X.append(sig)
            y.append(a)
            subj.append(s)
    return np.array(X, dtype=np.float32), np.array(y), np.array(subj)


class HARNet(nn.Module):
    def __init__(self, n_classes=6, width=32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(3, width, 5, padding=2), nn.BatchNorm1d(width), nn.ReLU(),
            nn.Conv1d(width, width, 5, padding=2), nn.BatchNorm1d(width), nn.ReLU(),
            nn.MaxPool1d(2),
            nn.Conv1d(width, 2 * width, 3, padding=1), nn.BatchNorm1d(2 * width), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(0.2),
            nn.Linear(2 * width, n_classes),
            nn.Softmax(dim=1),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def train(model, loader, optimizer, criterion, epoch, log_interval):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.4f}")


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct = 0
    for data, target in loader:
        pred = model(data).argmax(dim=1)
        correct += (pred == target).sum().item()
    return correct / len(loader.dataset)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    X, y, subj = make_recordings()
    tr, va = subj < 32, subj >= 32
    # per-channel statistics from the training subjects only
    mean = X[tr].mean(axis=(0, 2), keepdims=True)
    std = X[tr].std(axis=(0, 2), keepdims=True)
    X = (X - mean) / std
    train_ds = TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr]))
    val_ds = TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va]))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = HARNet(len(ACTIVITIES))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    for epoch in range(1, args.epochs + 1):
        train(model, train_loader, optimizer, criterion, epoch, log_interval=20)
        scheduler.step()
        print(f"epoch {epoch}: val accuracy {evaluate(model, val_loader):.4f}")
    print(f"final val accuracy: {evaluate(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
