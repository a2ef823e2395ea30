"""Bearing fault classification from raw accelerometer frames (12-bit ADC, 256 samples/frame).

Classes: 0 normal, 1 inner-race, 2 outer-race, 3 ball defect.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

FS = 12_000
FRAME = 256


def synth_frames(n, rng):
    t = np.arange(FRAME) / FS
    y = rng.integers(0, 4, size=n)
    X = np.empty((n, FRAME), dtype=np.float32)
    defect_hz = {1: 1620.0, 2: 1070.0, 3: 1410.0}
    ring_hz = {1: 3200.0, 2: 2100.0, 3: 4400.0}
    for i in range(n):
        shaft = 29.5 + rng.normal(0, 0.4)
        sig = 0.6 * np.sin(2 * np.pi * shaft * t + rng.uniform(0, 2 * np.pi))
        sig += 0.25 * np.sin(2 * np.pi * 3 * shaft * t + rng.uniform(0, 2 * np.pi))
        if y[i] > 0:
            period = int(FS / (defect_hz[y[i]] / 9.0))
            start = rng.integers(0, period)
            ring = np.exp(-np.arange(40) / 12.0) * np.sin(2 * np.pi * ring_hz[y[i]] * np.arange(40) / FS)
            amp = 1.4 if y[i] != 3 else 1.0
            for k in range(start, FRAME - 40, period):
                sig[k:k + 40] += amp * rng.uniform(0.7, 1.3) * ring
        sig += rng.normal(0, 0.35, FRAME)
        X[i] = np.round(2048 + 310 * sig)          # ADC counts
    return X, y


class BearingNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, 9, padding=4)
        self.conv2 = nn.Conv1d(16, 32, 7, padding=3)
        self.conv3 = nn.Conv1d(32, 32, 5, padding=2)
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.conv1(x)), 2)
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.conv3(x))
        x = x.mean(dim=-1)
        return self.fc(x)


def evaluate(model, loader):
    model.eval()
    loss_sum, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            loss_sum += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return loss_sum / n, correct / n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--batch-size", type=int, default=32)
    args = p.parse_args()

    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    X, y = synth_frames(2000, rng)
    X_tr, y_tr, X_va, y_va = X[:1600], y[:1600], X[1600:], y[1600:]

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr).unsqueeze(1), torch.from_numpy(y_tr)),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va).unsqueeze(1), torch.from_numpy(y_va)),
                            batch_size=256)

    model = BearingNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr,
                                                    total_steps=args.epochs * len(train_loader))
    for epoch in range(1, args.epochs + 1):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
        vl, va = evaluate(model, val_loader)
        print(f"epoch {epoch} val_loss {vl:.4f} val_acc {va:.4f}")
    print(f"final val_acc {va:.4f}")


if __name__ == "__main__":
    main()
