"""Minutes-to-eruption from a geyser's conduit pressure trace.

A downhole transducer logs conduit pressure at 1 Hz; the last 128 s before each
forecast are fed to a small 1-D CNN that predicts the minutes until the next
eruption (the park posts the countdown for visitors).  Traces are simulated
from the recharge model the hydrologists use: as the conduit refills, bubble
trap pulses get faster and stronger and the baseline rises.
"""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def simulate(n, length=128, seed=0):
    rng = np.random.default_rng(seed)
    minutes = rng.gamma(4.0, 9.0, n).clip(2, 120)
    t = np.arange(length)[None, :]
    ready = np.exp(-minutes / 30.0)[:, None]               # 1 near eruption, 0 just after one
    period = 28 - 20 * ready + rng.normal(0, 1.0, (n, 1))
    phase = rng.uniform(0, 2 * math.pi, (n, 1))
    pulses = (0.3 + 1.2 * ready) * np.maximum(np.sin(2 * math.pi * t / period + phase), 0) ** 3
    drift = (0.2 + 2.0 * ready) * t / length
    wind = 0.3 * np.sin(2 * math.pi * t / rng.uniform(40, 90, (n, 1)))
    trace = 1.5 + drift + pulses + wind + rng.normal(0, 0.15, (n, length))
    return trace.astype(np.float32), minutes.astype(np.float32)


class CountdownNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, 7, padding=3)
        self.conv2 = nn.Conv1d(16, 32, 5, padding=2)
        self.conv3 = nn.Conv1d(32, 32, 5, padding=2)
        self.fc1 = nn.Linear(64, 32)
        self.fc2 = nn.Linear(32, 1)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.conv1(x)), 2)
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.conv3(x))
        x = torch.cat([x.mean(-1), x.amax(-1)], dim=1)
        return self.fc2(F.relu(self.fc1(x))).squeeze(-1)


def train(args, model, loader, optimizer, epoch):
    model.train()
    total = 0.0
    for data, target in loader:
        optimizer.zero_grad()
        loss = F.mse_loss(model(data), target)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=args.clip)
        optimizer.step()
        total += loss.item() * len(data)
    return total / len(loader.dataset)


def evaluate(model, loader, y_sd):
    model.eval()
    sq, ab = 0.0, 0.0
    with torch.no_grad():
        for data, target in loader:
            pred = model(data)
            sq += F.mse_loss(pred, target, reduction="sum").item()
            ab += F.l1_loss(pred, target, reduction="sum").item()
    n = len(loader.dataset)
    return sq / n, ab / n * y_sd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--clip", type=float, default=0.03)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    X, y = simulate(2000, seed=11)
    X_tr, X_va, y_tr, y_va = X[:1600], X[1600:], y[:1600], y[1600:]
    x_mu, x_sd = X_tr.mean(), X_tr.std()
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    prep = lambda a: torch.from_numpy((a - x_mu) / x_sd).unsqueeze(1)
    tgt = lambda a: torch.from_numpy((a - y_mu) / y_sd)
    train_loader = DataLoader(TensorDataset(prep(X_tr), tgt(y_tr)), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(prep(X_va), tgt(y_va)), batch_size=200)

    model = CountdownNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    for epoch in range(1, args.epochs + 1):
        tr_loss = train(args, model, train_loader, optimizer, epoch)
        va_mse, va_mae = evaluate(model, val_loader, y_sd)
        scheduler.step()
        print(f"epoch {epoch:2d}  train_mse {tr_loss:.4f}  val_mse {va_mse:.4f}  val_mae {va_mae:.2f} min")
    print(f"final val_mse {va_mse:.4f} val_mae_minutes {va_mae:.2f} R2 {1 - va_mse:.3f}")


if __name__ == "__main__":
    main()
