"""Snowmaking: predict a fan gun's snow output (m3/h) from the hourly tower log.
Humidity and water-temperature probes drop out now and then (blank cells in the log)."""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

COLS = ["air_temp_c", "rel_humidity", "water_temp_c", "water_bar", "wind_ms",
        "nozzles_open", "fan_kw", "altitude_m"]


def read_tower_log(n, seed):
    rng = np.random.default_rng(seed)
    air = rng.normal(-6.0, 4.0, n)
    rh = rng.beta(6, 3, n) * 100
    water = rng.normal(2.0, 0.9, n).clip(0.2, 6)
    bar = rng.normal(28.0, 5.0, n).clip(10, 45)
    wind = rng.gamma(2.0, 1.6, n)
    nozzles = rng.integers(12, 37, n).astype(float)
    fan = rng.normal(18.5, 1.5, n)
    alt = rng.choice([1450.0, 1720.0, 1980.0, 2230.0], n)
    # wet-bulb (Stull 2011 approximation)
    wb = air * np.arctan(0.151977 * np.sqrt(rh + 8.313659)) + np.arctan(air + rh) \
        - np.arctan(rh - 1.676331) + 0.00391838 * rh ** 1.5 * np.arctan(0.023101 * rh) - 4.686035
    cold = np.clip(-wb - 2.0, 0, None)
    out = nozzles * 1.05 * np.sqrt(bar / 28.0) * (1 - np.exp(-cold / 3.5)) \
        * (1 - 0.08 * (water - 2.0)) * (1 - 0.02 * np.clip(wind - 6, 0, None)) \
        * (1 + 0.00012 * (alt - 1800)) + 0.05 * (fan - 18.5)
    out = np.clip(out + rng.normal(0, 0.9, n), 0, None)
    X = np.stack([air, rh, water, bar, wind, nozzles, fan, alt], 1)
    X[rng.random(n) < 0.04, 1] = np.nan
    X[rng.random(n) < 0.02, 2] = np.nan
    return X.astype(np.float32), out.astype(np.float32)


class OutputRegressor(nn.Module):
    def __init__(self, d_in, hidden=128):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.body(x).squeeze(-1)


def evaluate(model, loader):
    model.eval()
    sse, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            sse += torch.sum((model(xb) - yb) ** 2).item()
            n += len(yb)
    return sse / n


def main():
    torch.manual_seed(0)
    X, y = read_tower_log(6000, seed=11)
    n_tr = 4800  # log is in time order: last fifth of the season is held out
    X_tr, X_va, y_tr, y_va = X[:n_tr], X[n_tr:], y[:n_tr], y[n_tr:]

    mu, sd = np.nanmean(X_tr, 0), np.nanstd(X_tr, 0)
    Z_tr, Z_va = (X_tr - mu) / sd, (X_va - mu) / sd
    for Z in (Z_tr, Z_va):
        Z[:] = np.nan_to_num(Z, nan=0.0)
    y_mu, y_sd = y_tr.mean(), y_tr.std()

    train_loader = DataLoader(TensorDataset(torch.tensor(Z_tr), torch.tensor((y_tr - y_mu) / y_sd)),
                              batch_size=128, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.tensor(Z_va), torch.tensor((y_va - y_mu) / y_sd)),
                            batch_size=512)

    model = OutputRegressor(Z_tr.shape[1])
    epochs = 20
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    loss_fn = nn.MSELoss()

    for epoch in range(epochs):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(yb)
        scheduler.step()
        val_mse = evaluate(model, val_loader)
        if epoch % 5 == 4:
            print(f"epoch {epoch + 1}: train {running / len(train_loader.dataset):.4f}  val {val_mse:.4f}")

    val_mse = evaluate(model, val_loader)
    rmse = math.sqrt(val_mse) * y_sd
    r2 = 1 - val_mse * y_sd ** 2 / y_va.var()
    print(f"val RMSE {rmse:.3f} m3/h  R2 {r2:.4f}")


if __name__ == "__main__":
    main()
