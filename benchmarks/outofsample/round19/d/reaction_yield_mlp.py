"""Buchwald-Hartwig style reaction-yield regression from tabulated reaction conditions.

Each row: catalyst loading, temperature, time, base equivalents, solvent polarity,
ligand cone angle / bite angle, aryl halide Hammett sigma, amine pKa, concentration.
Target: isolated yield (%). Standardised features and targets, MLP with a
shifted-softplus activation (as in SchNet-style chemistry models).
"""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def make_reactions(n, rng):
    cat = rng.uniform(0.5, 5.0, n)            # mol %
    temp = rng.uniform(60, 140, n)            # deg C
    hours = rng.uniform(1, 24, n)
    base_eq = rng.uniform(1.0, 3.0, n)
    polarity = rng.uniform(2.0, 40.0, n)      # dielectric constant
    cone = rng.normal(170, 15, n)             # ligand cone angle
    bite = rng.normal(100, 8, n)
    sigma = rng.normal(0.2, 0.3, n)           # Hammett sigma of aryl halide
    pka = rng.normal(10, 1.5, n)
    conc = rng.uniform(0.05, 1.0, n)
    X = np.stack([cat, temp, hours, base_eq, polarity, cone, bite, sigma, pka, conc], 1)

    # conversion kinetics (Arrhenius), ligand sweet spot, electronic effects, decomposition
    k = np.log1p(cat) * np.exp(-4000 * (1 / (temp + 273) - 1 / 373)) * (1 + 0.8 * sigma)
    conv = 1 - np.exp(-k * hours / 4)
    lig = np.exp(-((cone - 175) / 18) ** 2 - ((bite - 102) / 10) ** 2)
    decomp = np.exp(-0.015 * np.clip(temp - 110, 0, None) * hours / 6)
    solv = 1 / (1 + np.exp(-(polarity - 12) / 5)) * (1 - 0.3 * np.tanh(pka - 10))
    y = 100 * conv * (0.35 + 0.65 * lig) * decomp * (0.5 + 0.5 * solv) * np.clip(base_eq / 2, 0.4, 1)
    y = np.clip(y + rng.normal(0, 3, n), 0, 100)
    return X.astype(np.float32), y.astype(np.float32)


class ShiftedSoftplusFn(torch.autograd.Function):
    """ssp(x) = softplus(x) - log 2, computed stably; custom backward saves memory."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return F.softplus(x) - math.log(2.0)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * torch.sigmoid(-x)


class ShiftedSoftplus(nn.Module):
    def forward(self, x):
        return ShiftedSoftplusFn.apply(x)


class YieldNet(nn.Module):
    def __init__(self, d_in, width=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, width), ShiftedSoftplus(),
            nn.Linear(width, width), ShiftedSoftplus(),
            nn.Linear(width, width // 2), ShiftedSoftplus(),
            nn.Linear(width // 2, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def train(args, model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.mse_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0 and epoch % 10 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.4f}")


def test(model, loader, y_std):
    model.eval()
    sq, n = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            out = model(data)
            sq += F.mse_loss(out, target, reduction="sum").item()
            n += len(target)
    mse = sq / n
    return mse, math.sqrt(mse) * y_std


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    X, y = make_reactions(3000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:2400], idx[2400:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    Xs = (X - mu) / sd
    ys = (y - y_mu) / y_sd

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xs[tr]), torch.from_numpy(ys[tr])),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xs[va]), torch.from_numpy(ys[va])),
                            batch_size=256)

    model = YieldNet(X.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=15, gamma=0.5)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        scheduler.step()
        val_mse, rmse = test(model, val_loader, y_sd)
        if epoch % 10 == 0:
            print(f"epoch {epoch}: val mse (std units) {val_mse:.4f}, RMSE {rmse:.2f} yield-%")
    print(f"final val R2 {1 - val_mse:.4f}  RMSE {rmse:.2f} yield-%")


if __name__ == "__main__":
    main()
