"""Predict shoe wear (mm of toe wear at the reset visit) for a farrier's client horses.

Rows come from the practice's visit book: horse weight, weekly workload, the mix of
surfaces it is worked on, shoe material, hoof angle, weeks since shoeing, gait asymmetry.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def visit_book(n=3000, seed=3):
    rng = np.random.default_rng(seed)
    weight = rng.normal(520, 70, n)
    hours = rng.gamma(4, 2.5, n)
    road = rng.beta(2, 5, n)
    arena = rng.beta(2, 3, n) * (1 - road)
    field = 1 - road - arena
    alu = (rng.random(n) < 0.3).astype(float)
    angle = rng.normal(52, 3, n)
    weeks = rng.uniform(2, 9, n)
    asym = np.abs(rng.normal(0, 0.08, n))
    wear = (0.004 * weight * hours ** 0.8 * (2.5 * road + 1.0 * arena + 0.6 * field)
            * (1 + 0.8 * alu) * weeks / 6 * (1 + 3 * asym) * (1 + 0.02 * np.abs(angle - 52))) / 10
    wear = wear + rng.normal(0, 0.15 * wear.std(), n)
    X = np.column_stack([weight, hours, road, arena, field, angle, weeks, asym, alu]).astype(np.float32)
    return X, wear.astype(np.float32)


class WearNet(nn.Module):
    def __init__(self, n_in=9):
        super().__init__()
        self.fc1 = nn.Linear(n_in, 128)
        self.fc2 = nn.Linear(128, 128)
        self.fc3 = nn.Linear(128, 64)
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = F.relu(self.fc3(x))
        return self.out(x).squeeze(-1)


def train(args, model, loader, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        output = model(data)
        loss = F.mse_loss(output, target)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= args.lr * p.grad
        if batch_idx % args.log_interval == 0 and epoch % 5 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.4f}")


def test(model, loader):
    model.eval()
    test_loss = 0.0
    with torch.no_grad():
        for data, target in loader:
            test_loss += F.mse_loss(model(data), target, reduction="sum").item()
    test_loss /= len(loader.dataset)
    return test_loss


def main():
    parser = argparse.ArgumentParser(description="Shoe wear regression")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--lr", type=float, default=0.04)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=30)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    X, y = visit_book()
    n_train = 2400
    cont = slice(0, 8)  # the last column is the shoe material flag (0 steel, 1 aluminium)
    mu, sd = X[:n_train, cont].mean(0), X[:n_train, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    y_mean, y_std = y[:n_train].mean(), y[:n_train].std()
    y_n = (y - y_mean) / y_std

    train_ds = TensorDataset(torch.from_numpy(X[:n_train]), torch.from_numpy(y_n[:n_train]))
    val_ds = TensorDataset(torch.from_numpy(X[n_train:]), torch.from_numpy(y_n[n_train:]))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = WearNet()
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, epoch)
        val_mse = test(model, val_loader)
        if epoch % 5 == 0:
            print(f"epoch {epoch}: val MSE (standardised) {val_mse:.4f}")

    rmse_mm = float(np.sqrt(val_mse)) * float(y_std)
    r2 = 1 - val_mse / float(y_n[n_train:].var())
    print(f"final: val RMSE {rmse_mm:.3f} mm  R2 {r2:.3f}")


if __name__ == "__main__":
    main()
