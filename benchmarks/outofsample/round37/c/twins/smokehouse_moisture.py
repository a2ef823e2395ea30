"""Smokehouse cure: predict moisture loss of a batch of kippers from the kiln log.

Each cure logs chamber temperature, relative humidity, smoke density and fan airflow every
hour for 48 hours; the target is the weight lost (% moisture) measured at unloading. A GRU
reads the log; we keep an EMA copy of the weights for evaluation and save it whole.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

HOURS = 48


def kiln_logs(n, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(HOURS)
    temp_set = rng.uniform(24, 34, n)[:, None]
    ramp_at = rng.integers(6, 30, n)[:, None]
    hot_phase = rng.uniform(0, 18, n)[:, None]
    temp = temp_set + hot_phase * (t[None] >= ramp_at) + rng.normal(0, 1.0, (n, HOURS))
    rh = rng.uniform(55, 85, n)[:, None] - 0.6 * (temp - 25) + rng.normal(0, 3, (n, HOURS))
    smoke = np.clip(rng.uniform(0.2, 1.0, n)[:, None] + 0.15 * np.sin(t[None] / rng.uniform(2, 6, n)[:, None])
                    + rng.normal(0, 0.05, (n, HOURS)), 0, None)
    fan = rng.uniform(0.5, 2.0, n)[:, None] * (1 + 0.2 * (rng.random((n, HOURS)) < 0.1))
    # drying rate ~ vapour-pressure deficit x airflow, slowed once the skin (pellicle) forms
    vpd = (1 - rh / 100) * np.exp(0.06 * temp)
    rate = 0.09 * vpd * fan ** 0.7
    cum = np.cumsum(rate, axis=1)
    skin = 1.0 / (1 + 0.25 * np.maximum(cum - 4.0, 0))
    loss = (rate * skin).sum(1) + 0.8 * smoke.mean(1) + rng.normal(0, 0.3, n)
    X = np.stack([temp, rh, smoke, fan], axis=2).astype(np.float32)
    return X, loss.astype(np.float32)


class KilnGRU(nn.Module):
    def __init__(self, n_in=4, hidden=32):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


def cycle_loader(loader):
    while True:
        for batch in loader:
            yield batch


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)


def main():
    torch.manual_seed(0)
    X, y = kiln_logs(2400, seed=4)
    n_tr = 1900
    mu, sd = X[:n_tr].mean((0, 1)), X[:n_tr].std((0, 1))
    X = (X - mu) / sd
    y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
    yz = (y - y_mu) / y_sd
    train_loader = DataLoader(TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(yz[:n_tr])),
                              batch_size=32, shuffle=True)
    X_val, y_val = torch.from_numpy(X[n_tr:]), torch.from_numpy(yz[n_tr:])

    model = KilnGRU()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    loss_fn = nn.MSELoss()

    steps = 360
    batches = cycle_loader(train_loader)
    for step in range(1, steps + 1):
        xb, yb = next(batches)
        model.train()
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        ema_update(ema, model, decay=0.98)
        if step % 120 == 0:
            ema.eval()
            with torch.no_grad():
                val_mse = loss_fn(ema(X_val), y_val).item()
            print(f"step {step} train_mse {loss.item():.4f} ema_val_mse {val_mse:.4f}")

    with tempfile.TemporaryDirectory() as d:
        torch.save(ema, os.path.join(d, "kiln_gru_ema.pt"))
    ema.eval()
    with torch.no_grad():
        pred = ema(X_val)
    r2 = 1 - ((pred - y_val) ** 2).sum() / ((y_val - y_val.mean()) ** 2).sum()
    mae = (pred - y_val).abs().mean() * y_sd
    print(f"val R2 {r2.item():.4f} val MAE {mae.item():.3f} % moisture")


if __name__ == "__main__":
    main()
