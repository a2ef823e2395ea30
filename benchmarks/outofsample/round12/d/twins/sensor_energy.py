"""Hourly energy demand of an office building from weather and occupancy sensors.

Synthetic year of hourly records (temperature, humidity, solar irradiance, wind, badge-ins,
calendar). Target: metered consumption in kWh. MLP regressor with a one-cycle schedule.
Prints validation RMSE (kWh) per epoch and test RMSE / R^2 at the end.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)


def building_year(n_hours=8760):
    h = np.arange(n_hours)
    hour, doy = h % 24, h / 24.0
    weekday = ((h // 24) % 7) < 5
    temp = 11 + 10 * np.sin(2 * np.pi * (doy - 110) / 365) + 4 * np.sin(2 * np.pi * (hour - 9) / 24) + rng.normal(0, 2.5, n_hours)
    humid = np.clip(65 - 0.8 * (temp - 11) + rng.normal(0, 8, n_hours), 15, 100)
    solar = np.clip(np.sin(np.pi * (hour - 6) / 13), 0, None) * (550 + 250 * np.sin(2 * np.pi * (doy - 80) / 365)) * rng.uniform(0.3, 1.0, n_hours)
    wind = rng.gamma(2.0, 2.2, n_hours)
    occ = np.where(weekday & (hour >= 8) & (hour <= 18), rng.poisson(320, n_hours), rng.poisson(12, n_hours)).astype(float)
    load = (1450 + 2.1 * occ + 38 * np.maximum(temp - 21, 0) ** 1.3 + 52 * np.maximum(12 - temp, 0)
            + 0.35 * solar + 9 * wind * (temp < 8) + rng.normal(0, 60, n_hours))
    X = np.stack([temp, humid, solar, wind, occ, np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                  weekday.astype(float), np.sin(2 * np.pi * doy / 365), np.cos(2 * np.pi * doy / 365)], 1)
    return X.astype(np.float32), load.astype(np.float32)


def main():
    X, y = building_year()
    idx = rng.permutation(len(y))
    tr, va, te = idx[:6000], idx[6000:7400], idx[7400:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    train = DataLoader(TensorDataset(Xt[tr], yt[tr]), batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(Xt[va], yt[va]), batch_size=512)
    test = DataLoader(TensorDataset(Xt[te], yt[te]), batch_size=512)

    model = nn.Sequential(nn.Linear(X.shape[1], 128), nn.SiLU(), nn.Linear(128, 128), nn.SiLU(), nn.Linear(128, 1))
    epochs = 25
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=epochs * len(train))
    loss_fn = nn.MSELoss()

    y_mu, y_sd = yt[tr].mean(), yt[tr].std()

    def predict(xb):
        return model(xb).squeeze(-1) * y_sd + y_mu

    def sse(loader):
        model.eval()
        total, n = 0.0, 0
        with torch.no_grad():
            for xb, yb in loader:
                total += ((predict(xb) - yb) ** 2).sum().item()
                n += len(yb)
        return total, n

    for epoch in range(epochs):
        model.train()
        for xb, yb in train:
            optimizer.zero_grad()
            loss = loss_fn(predict(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
        s, n = sse(val)
        print(f"epoch {epoch + 1:2d} train_batch_mse {loss.item():.1f} val_rmse_kwh {(s / n) ** 0.5:.1f}")

    s, n = sse(test)
    var = yt[te].var(unbiased=False).item()
    print(f"test_rmse_kwh {(s / n) ** 0.5:.1f} test_r2 {1 - s / n / var:.3f}")


if __name__ == "__main__":
    main()
