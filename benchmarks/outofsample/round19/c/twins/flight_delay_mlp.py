"""Departure-delay classifier (arrival delay > 15 min) from schedule and ops features."""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score
from torch.utils.data import DataLoader, TensorDataset

N_CARRIERS = 9
N_HUBS = 14


def make_flights(n, rng):
    dep_hour = rng.uniform(5.0, 23.5, n)
    dow = rng.integers(0, 7, n)
    month = rng.integers(1, 13, n)
    carrier = rng.integers(0, N_CARRIERS, n)
    origin = rng.integers(0, N_HUBS, n)
    distance = np.exp(rng.normal(6.6, 0.6, n))                 # miles
    turnaround = rng.gamma(4.0, 12.0, n) + 25.0                 # scheduled minutes on the ground
    aircraft_age = rng.uniform(0.5, 25.0, n)
    prev_leg_delay = np.maximum(rng.gamma(0.6, 22.0, n) - 8.0, 0.0)
    wx = rng.gamma(1.2, 0.8, n) * (1.0 + 0.6 * np.isin(month, [1, 2, 7, 12]))
    congestion = rng.beta(2.0, 3.0, n) + 0.25 * (np.abs(dep_hour - 17.5) < 2.5)

    carrier_eff = rng.normal(0.0, 0.45, N_CARRIERS)
    hub_eff = rng.normal(0.0, 0.35, N_HUBS)
    late_day = 1.0 / (1.0 + np.exp(-(dep_hour - 15.0)))
    slack = np.maximum(prev_leg_delay - (turnaround - 30.0), 0.0)
    logit = (-3.1 + 1.1 * late_day + carrier_eff[carrier] + hub_eff[origin]
             + 2.2 * np.tanh(slack / 15.0) + 1.3 * wx * congestion * late_day + 0.4 * (dow == 4)
             + 0.02 * aircraft_age - 0.25 * np.log(distance / 700.0))
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.float32)

    cont = np.stack([
        np.sin(2 * np.pi * dep_hour / 24), np.cos(2 * np.pi * dep_hour / 24),
        np.sin(2 * np.pi * month / 12), np.cos(2 * np.pi * month / 12),
        np.log(distance), turnaround, aircraft_age, np.log1p(prev_leg_delay), wx, congestion,
    ], axis=1)
    cats = np.concatenate([np.eye(7)[dow], np.eye(N_CARRIERS)[carrier], np.eye(N_HUBS)[origin]], axis=1)
    return cont.astype(np.float32), cats.astype(np.float32), y


class DelayNet(nn.Module):
    def __init__(self, n_in, hidden=128):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(0.3),
            nn.Linear(hidden, hidden // 2), nn.ReLU(),
        )
        self.head = nn.Linear(hidden // 2, 1)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


def train(model, loader, optimizer, scheduler, epoch, log_interval):
    model.train()
    for batch_idx, (x, y) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        if batch_idx % log_interval == 0:
            print(f"epoch {epoch} [{batch_idx * len(x)}/{len(loader.dataset)}] loss {loss.item():.4f}")


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    logits, ys = [], []
    for x, y in loader:
        logits.append(model(x))
        ys.append(y)
    logits, ys = torch.cat(logits), torch.cat(ys)
    loss = F.binary_cross_entropy_with_logits(logits, ys).item()
    auc = roc_auc_score(ys.numpy(), logits.numpy())
    return loss, auc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    cont, cats, y = make_flights(12000, rng)
    n_train = 9600
    mu, sd = cont[:n_train].mean(0), cont[:n_train].std(0)
    X = np.concatenate([(cont - mu) / sd, cats], axis=1)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    train_ds = TensorDataset(X[:n_train], y[:n_train])
    val_ds = TensorDataset(X[n_train:], y[n_train:])
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=512)

    model = DelayNet(X.shape[1])
    p = y[:n_train].mean().item()
    prior_logit = math.log(p / (1 - p))

    def init_head(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.bias, prior_logit)

    model.head.apply(init_head)

    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=len(train_loader))
    for epoch in range(1, args.epochs + 1):
        train(model, train_loader, optimizer, scheduler, epoch, args.log_interval)
        val_loss, val_auc = evaluate(model, val_loader)
        print(f"epoch {epoch}: val loss {val_loss:.4f}, val AUC {val_auc:.4f}")
    print(f"delayed share {p:.3f}; final val AUC {val_auc:.4f}")


if __name__ == "__main__":
    main()
