"""Weigh-in-motion from bridge strain gauges.

A girder bridge carries 16 strain gauges along its span. For every truck crossing we keep,
per gauge, the peak strain and the area under the strain trace, plus the speed estimate from
the two axle detectors and the deck temperature. The network regresses gross vehicle weight
(tonnes). Plain PyTorch loop in the style of the official examples.
"""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

N_GAUGES = 16


def simulate_crossings(n, rng):
    pos = np.linspace(0.05, 0.95, N_GAUGES)
    axles = rng.integers(2, 6, size=n)                     # 2..5 axles
    gvw = np.exp(rng.normal(math.log(22.0), 0.45, size=n))  # tonnes
    gvw = np.clip(gvw, 3.5, 60.0)
    speed = rng.uniform(40, 95, size=n)                    # km/h
    temp = rng.normal(14, 8, size=n)                       # deg C
    lane_offset = rng.normal(0.0, 0.35, size=n)            # m from lane centre
    peaks = np.zeros((n, N_GAUGES))
    areas = np.zeros((n, N_GAUGES))
    for i in range(n):
        share = rng.dirichlet(np.full(axles[i], 3.0))       # axle load shares
        spacing = np.cumsum(rng.uniform(0.08, 0.22, size=axles[i]))
        spacing -= spacing.mean()
        # influence line of a simply supported girder, shifted by the axle group
        infl = np.zeros(N_GAUGES)
        for s, sh in zip(share, spacing):
            x = np.clip(pos + sh, 0, 1)
            infl += s * x * (1 - x) * 4
        dyn = 1.0 + 0.4 * math.exp(-0.5 * ((speed[i] - 68) / 9) ** 2) * rng.uniform(0.85, 1.15)   # dynamic amplification
        lat = 1.0 + 0.25 * lane_offset[i] * np.linspace(-1, 1, N_GAUGES)
        peaks[i] = gvw[i] * infl * dyn * lat * 9.0 + 0.6 * temp[i] + rng.normal(0, 25, N_GAUGES)
        areas[i] = gvw[i] * infl * lat * 3600.0 / speed[i] + rng.normal(0, 250, N_GAUGES)
    X = np.column_stack([peaks, areas, speed, temp]).astype(np.float32)
    return X, gvw.astype(np.float32)


class WIMNet(nn.Module):
    def __init__(self, n_in, width=128, n_hidden=4):
        super().__init__()
        layers, d = [], n_in
        for _ in range(n_hidden):
            layers += [nn.Linear(d, width), nn.ReLU()]
            d = width
        layers.append(nn.Linear(d, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x).squeeze(-1)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, mean=0.0, std=0.01)
        nn.init.zeros_(m.bias)


def train(model, loader, optimizer, epoch, log_interval):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.mse_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.4f}")


def evaluate(model, loader, y_mean, y_std):
    model.eval()
    sq_err, n = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            pred = model(data) * y_std + y_mean
            true = target * y_std + y_mean
            sq_err += F.mse_loss(pred, true, reduction="sum").item()
            n += len(data)
    return math.sqrt(sq_err / n)


def main():
    parser = argparse.ArgumentParser(description="bridge WIM regression")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--log-interval", type=int, default=40)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    X, y = simulate_crossings(3200, rng)
    X_tr, y_tr, X_va, y_va = X[:2600], y[:2600], X[2600:], y[2600:]

    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    y_mean, y_std = float(y_tr.mean()), float(y_tr.std())

    train_ds = TensorDataset(torch.from_numpy(X_tr), torch.from_numpy((y_tr - y_mean) / y_std))
    val_ds = TensorDataset(torch.from_numpy(X_va), torch.from_numpy((y_va - y_mean) / y_std))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = WIMNet(X.shape[1])
    model.apply(init_weights)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)

    for epoch in range(1, args.epochs + 1):
        train(model, train_loader, optimizer, epoch, args.log_interval)
        rmse = evaluate(model, val_loader, y_mean, y_std)
        print(f"epoch {epoch}: val RMSE {rmse:.3f} t")
        scheduler.step()

    baseline = float(np.sqrt(((y_va - y_tr.mean()) ** 2).mean()))
    r2 = 1 - rmse ** 2 / baseline ** 2
    print(f"final val RMSE {rmse:.3f} t (predict-mean baseline {baseline:.3f} t), R2 {r2:.3f}")


if __name__ == "__main__":
    main()
