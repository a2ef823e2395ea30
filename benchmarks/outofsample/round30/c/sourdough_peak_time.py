"""Predict hours-to-peak of a sourdough starter after a feed.

Bakery QA log: each row is one feed of one starter jar (feed ratio, hydration,
room temperature, flour, starter age, yesterday's peak). Target: hours until the
jar reaches its peak rise. MLP regressor, plain PyTorch loop.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

FLOURS = ["white", "wholewheat", "rye", "spelt"]


def make_feeds(n, rng):
    ratio = rng.choice([1.0, 2.0, 3.0, 5.0, 10.0], size=n, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    hydration = rng.uniform(60, 125, n)
    temp = rng.normal(23.5, 2.8, n).clip(16, 32)
    flour = rng.integers(0, 4, n)
    age_days = rng.gamma(2.0, 60.0, n) + 5
    vigour = rng.normal(0, 1, n)  # latent jar vigour
    flour_speed = np.array([0.0, -0.8, -1.4, -0.3])[flour]
    base = 3.2 + 1.6 * np.log(ratio) + flour_speed - 0.9 * vigour
    base = base * np.exp(-0.12 * (temp - 24.0)) * (1.0 + 0.004 * (100 - hydration)) + 0.025 * (hydration - 90) * (flour == 2)
    base = base - 0.35 * np.log(age_days / 30.0)
    hours = np.clip(base + rng.normal(0, 0.45, n), 1.0, None)
    prev_peak = np.clip(base + rng.normal(0, 0.9, n), 1.0, None)
    onehot = np.eye(4)[flour]
    cont = np.stack([np.log(ratio), hydration, temp, np.log(age_days), prev_peak], 1)
    return cont.astype(np.float32), onehot.astype(np.float32), hours.astype(np.float32)


class PeakNet(nn.Module):
    def __init__(self, d_in, hidden=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def train(args, model, loader, optimizer, epoch):
    model.train()
    optimizer.zero_grad()
    for batch_idx, (data, target) in enumerate(loader):
        output = model(data)
        loss = F.mse_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0 and epoch % 10 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.4f}")


def evaluate(model, loader, y_std):
    model.eval()
    sq, ab, n = 0.0, 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            sq += F.mse_loss(output, target, reduction="sum").item()
            ab += F.l1_loss(output, target, reduction="sum").item()
            n += len(data)
    return sq / n, ab / n * y_std


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    cont, onehot, hours = make_feeds(3200, rng)
    idx = rng.permutation(len(hours))
    tr, va = idx[:2600], idx[2600:]

    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - mu) / sd, onehot], 1)
    y_mu, y_sd = hours[tr].mean(), hours[tr].std()
    y = (hours - y_mu) / y_sd

    train_ds = TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr]))
    val_ds = TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va]))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = PeakNet(X.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        scheduler.step()
        if epoch % 10 == 0:
            mse, mae_h = evaluate(model, val_loader, float(y_sd))
            print(f"epoch {epoch}: val mse {mse:.4f}  val MAE {mae_h:.3f} h")

    mse, mae_h = evaluate(model, val_loader, float(y_sd))
    print(f"FINAL val_mse={mse:.4f} val_mae_hours={mae_h:.3f}")


if __name__ == "__main__":
    main()
