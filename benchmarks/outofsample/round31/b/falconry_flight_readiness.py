"""Falconry mews: predict how a bird will respond on the day's flight.

From the mews diary (morning weight against the bird's flying weight, yesterday's food,
weather, moult, days since last flown, species), predict the response to the lure:
0 = refuses / sits in a tree, 1 = sluggish, 2 = keen. The falconer uses it to decide
whether to fly the bird today or adjust the ration.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

SPECIES = ["harris_hawk", "peregrine", "kestrel", "goshawk"]


def mews_diary(n, rng):
    sp = rng.integers(0, len(SPECIES), n)
    flying_weight = np.array([680.0, 620.0, 180.0, 900.0])[sp]
    weight = flying_weight * (1 + rng.normal(0.02, 0.035, n))
    food_g = np.array([60.0, 55.0, 22.0, 85.0])[sp] * rng.uniform(0.4, 1.5, n)
    temp = rng.normal(12, 7, n)
    wind = rng.gamma(2.0, 3.5, n)
    moulting = rng.random(n) < 0.25
    days_rest = rng.poisson(1.5, n)
    hours_hooded = rng.uniform(0, 3, n)

    over = (weight / flying_weight - 1) * 100                   # % above flying weight
    drive = (-0.9 * over
             - 0.035 * (food_g / np.array([60.0, 55.0, 22.0, 85.0])[sp] - 1) * 100
             - 0.08 * np.clip(wind - np.array([8.0, 14.0, 6.0, 9.0])[sp], 0, None) ** 1.5
             + 0.06 * (10 - np.abs(temp - 8))
             - 1.2 * moulting
             + 0.35 * np.minimum(days_rest, 3) - 0.25 * np.maximum(days_rest - 3, 0)
             - 0.3 * hours_hooded * (sp == 1)
             + rng.normal(0, 0.8, n))
    response = np.digitize(drive, [-2.3, -0.2])

    onehot = np.eye(len(SPECIES))[sp]
    num = np.column_stack([weight, flying_weight, food_g, temp, wind, moulting,
                           days_rest, hours_hooded, over])
    return num.astype(np.float32), onehot.astype(np.float32), response.astype(np.int64)


class ReadinessNet(nn.Module):
    def __init__(self, n_num, n_species, hidden=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_num + n_species, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 3),
        )

    def forward(self, x):
        return self.net(x)


def evaluate(model, loader):
    model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            total += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            n += yb.numel()
    return total / n, correct / n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--batch-size", type=int, default=32)
    args = p.parse_args()

    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    num, sp, y = mews_diary(2600, rng)
    n_tr = 2000
    mu, sd = num[:n_tr].mean(0), num[:n_tr].std(0)
    X = np.concatenate([(num - mu) / sd, sp], 1)
    X, y = torch.from_numpy(X), torch.from_numpy(y)

    train_loader = DataLoader(TensorDataset(X[:n_tr], y[:n_tr]), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(X[n_tr:], y[n_tr:]), batch_size=256)

    model = ReadinessNet(num.shape[1], sp.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=5, gamma=0.5)

    for epoch in range(1, args.epochs + 1):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
        optimizer.step()
        scheduler.step()
        if epoch % 5 == 0:
            val_loss, val_acc = evaluate(model, val_loader)
            print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.2e} "
                  f"last_batch_loss {loss.item():.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

    val_loss, val_acc = evaluate(model, val_loader)
    print(f"final val_loss {val_loss:.4f} val_acc {val_acc:.4f}")


if __name__ == "__main__":
    main()
