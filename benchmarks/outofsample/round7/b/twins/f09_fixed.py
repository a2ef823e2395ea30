"""Hourly bike-share demand per docking station (regression, MLP, OneCycle).

Continuous weather/calendar signals are standardised with training statistics;
station, weekday and weather-situation come from the operator's export as
integer codes. The target is log1p(rentals), standardised.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_STATIONS, N_WEATHER = 9, 4


def operator_export(n, rng):
    station = rng.integers(0, N_STATIONS, size=n)
    weekday = rng.integers(0, 7, size=n)
    weather = rng.choice(N_WEATHER, size=n, p=[0.55, 0.25, 0.15, 0.05])   # clear .. storm
    hour = rng.uniform(0, 24, size=n)
    temp = rng.normal(15, 8, size=n)                                       # deg C
    humidity = np.clip(rng.normal(60, 15, size=n), 10, 100)               # %
    wind = np.abs(rng.normal(12, 6, size=n))                               # km/h

    station_pop = np.random.default_rng(5).normal(0, 0.8, size=N_STATIONS)  # downtown vs suburbs
    commute = np.exp(-0.5 * ((hour - 8) / 1.2) ** 2) + np.exp(-0.5 * ((hour - 17.5) / 1.5) ** 2)
    leisure = np.exp(-0.5 * ((hour - 14) / 3) ** 2)
    weekend = weekday >= 5
    log_rentals = (2.0 + station_pop[station]
                   + np.where(weekend, 1.2 * leisure, 1.6 * commute + 0.3 * leisure)
                   + 0.04 * temp - 0.0012 * (temp - 22) ** 2 - 0.006 * (humidity - 60)
                   - 0.015 * wind - np.array([0.0, 0.2, 0.7, 1.5])[weather]
                   + rng.normal(0, 0.15, size=n))
    numeric = np.column_stack([np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                               temp, humidity, wind])
    codes = np.column_stack([station, weekday, weather])
    return numeric.astype(np.float32), codes, log_rentals.astype(np.float32)


def make_features(numeric, codes, stats):
    mu, sd = stats
    onehot = [np.eye(k)[codes[:, j]] for j, k in enumerate((N_STATIONS, 7, N_WEATHER))]
    return np.column_stack([(numeric - mu) / sd] + onehot).astype(np.float32)


class DemandMLP(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, 128), nn.ReLU(),
            nn.Linear(128, 128), nn.ReLU(),
            nn.Linear(128, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def evaluate(model, loader):
    model.eval()
    sse, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            sse += nn.functional.mse_loss(model(xb), yb, reduction="sum").item()
            n += len(yb)
    return sse / n


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    num_tr, codes_tr, y_tr = operator_export(6000, rng)
    num_va, codes_va, y_va = operator_export(1500, rng)
    stats = (num_tr.mean(0), num_tr.std(0))
    X_tr, X_va = make_features(num_tr, codes_tr, stats), make_features(num_va, codes_va, stats)
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    y_tr, y_va = (y_tr - y_mu) / y_sd, (y_va - y_mu) / y_sd

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=128, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)),
                            batch_size=1024)

    model = DemandMLP(X_tr.shape[1])
    epochs = 30
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=5e-3, epochs=epochs,
                                                    steps_per_epoch=len(train_loader))
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
        if (epoch + 1) % 5 == 0:
            val_mse = evaluate(model, val_loader)
            print(f"epoch {epoch + 1:2d}  train mse {loss.item():.4f}  val mse {val_mse:.4f}")

    val_mse = evaluate(model, val_loader)
    print(f"final val R2 {1 - val_mse / y_va.var():.4f}  (val mse {val_mse:.4f})")


if __name__ == "__main__":
    main()
