"""Seed-bank germination forecast.

Predicts the germination share of a stored seed accession at its next viability
test from storage history (age, vault temperature, seed moisture, oil content,
previous test result, family).  Plain PyTorch loop, StepLR per epoch, best
checkpoint kept with torch.save and reloaded for the final score.
"""
import argparse
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FAMILIES = ["Poaceae", "Fabaceae", "Asteraceae", "Brassicaceae", "Solanaceae", "Rosaceae"]


def make_accessions(n, rng):
    fam = rng.integers(0, len(FAMILIES), n)
    age = rng.gamma(2.0, 6.0, n)                       # years in store
    temp = rng.choice([-20.0, -18.0, 4.0, 15.0], n, p=[0.5, 0.2, 0.2, 0.1]) + rng.normal(0, 0.7, n)
    moisture = rng.uniform(3.0, 12.0, n)               # % fresh weight
    oil = np.array([2.0, 1.5, 25.0, 35.0, 20.0, 15.0])[fam] + rng.normal(0, 3.0, n)
    prev = np.clip(rng.normal(0.85, 0.08, n), 0.3, 1.0)  # previous test germination share
    seed_mass = np.exp(rng.normal(np.array([1.0, 3.5, 0.2, 0.5, 0.8, 2.5])[fam], 0.4))
    # Ellis-Roberts style viability decline: storage life shrinks with temp and moisture
    k = 9.0 - 0.4 * np.log(moisture) * 6 - 0.03 * temp - 0.0005 * temp ** 2 - 0.02 * oil
    sigma = np.exp(k / 3.0)
    probit = 2.2 - age / (sigma + 1e-3) + 2.5 * (prev - 0.85)
    germ = 1.0 / (1.0 + np.exp(-1.6 * probit)) + rng.normal(0, 0.03, n)
    germ = np.clip(germ, 0.0, 1.0)
    onehot = np.eye(len(FAMILIES))[fam]
    cont = np.stack([age, temp, moisture, oil, prev, np.log(seed_mass)], 1)
    return cont.astype(np.float32), onehot.astype(np.float32), germ.astype(np.float32)


class GerminationNet(nn.Module):
    def __init__(self, n_in, hidden=(128, 128, 64)):
        super().__init__()
        layers, d = [], n_in
        for h in hidden:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        layers.append(nn.Linear(d, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x).squeeze(-1)


def evaluate(model, loader, y_mean, y_std):
    model.eval()
    preds, trues = [], []
    with torch.no_grad():
        for xb, yb in loader:
            preds.append(model(xb) * y_std + y_mean)
            trues.append(yb * y_std + y_mean)
    p, t = torch.cat(preds), torch.cat(trues)
    mae = (p - t).abs().mean().item()
    r2 = 1 - ((p - t) ** 2).sum().item() / ((t - t.mean()) ** 2).sum().item()
    return mae, r2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    cont, onehot, germ = make_accessions(4000, rng)
    idx = rng.permutation(len(germ))
    tr, va = idx[:3200], idx[3200:]

    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - mu) / sd, onehot], 1)
    y_mean, y_std = float(germ[tr].mean()), float(germ[tr].std())
    y = (germ - y_mean) / y_std

    train_ds = TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr]))
    val_ds = TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va]))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = GerminationNet(X.shape[1])
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
    criterion = nn.MSELoss()

    ckpt = os.path.join(tempfile.mkdtemp(), "germination_best.pt")
    best = float("inf")
    for epoch in range(1, args.epochs + 1):
        model.train()
        total, count = 0.0, 0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        scheduler.step()
        mae, r2 = evaluate(model, val_loader, y_mean, y_std)
        if mae < best:
            best = mae
            torch.save(model, ckpt)
        if epoch % 5 == 0:
            print(f"epoch {epoch:3d}  train_mse {total / count:.4f}  val_mae {mae:.4f}  val_r2 {r2:.3f}")

    model = torch.load(ckpt, weights_only=False)
    mae, r2 = evaluate(model, val_loader, y_mean, y_std)
    print(f"final: val_mae {mae:.4f} (germination share)  val_r2 {r2:.3f}")


if __name__ == "__main__":
    main()
