"""Day-ahead-style load forecasting for distribution feeders (LSTM + EMA weights).

Hourly load of 6 feeders over ~14 months; the SCADA historian has telemetry
dropouts (stored as NaN). Standardisation uses per-feeder statistics of the
training period; a 2-layer LSTM reads 48 h and forecasts the next 12 h of one
feeder. An exponential moving average of the weights is kept with deepcopy and
is the model that gets saved and scored.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

LOOKBACK, HORIZON = 48, 12


def historian_export(n_feeders=6, hours=24 * 420, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    load = np.empty((n_feeders, hours), dtype=np.float32)
    for f in range(n_feeders):
        base = rng.uniform(2.0, 8.0)                                  # MW
        daily = np.sin(2 * np.pi * (t % 24 - rng.uniform(5, 9)) / 24)
        weekly = np.where((t // 24) % 7 >= 5, -0.25, 0.05)
        annual = 0.3 * np.cos(2 * np.pi * t / (24 * 365))
        ar = np.zeros(hours)
        eps = rng.normal(0, 0.08, size=hours)
        for i in range(1, hours):
            ar[i] = 0.9 * ar[i - 1] + eps[i]
        load[f] = base * (1 + 0.35 * daily + weekly + annual + ar)
        # telemetry dropouts: gaps of 2-12 h
        for start in rng.choice(hours - 12, size=hours // 300, replace=False):
            load[f, start:start + rng.integers(2, 12)] = np.nan
    return load


class FeederWindows(Dataset):
    def __init__(self, series, start, stop):
        self.series = torch.from_numpy(series)
        self.index = [(f, s) for f in range(series.shape[0])
                      for s in range(start, stop - LOOKBACK - HORIZON, 4)]

    def __len__(self):
        return len(self.index)

    def __getitem__(self, i):
        f, s = self.index[i]
        x = self.series[f, s:s + LOOKBACK].unsqueeze(-1)
        y = self.series[f, s + LOOKBACK:s + LOOKBACK + HORIZON]
        return x, y


class LoadForecaster(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, num_layers=2, batch_first=True, dropout=0.1)
        self.head = nn.Linear(hidden, HORIZON)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def main():
    torch.manual_seed(0)
    load = historian_export()
    for f in range(load.shape[0]):                                   # fill dropouts by interpolation
        gap = np.isnan(load[f])
        load[f, gap] = np.interp(np.flatnonzero(gap), np.flatnonzero(~gap), load[f, ~gap])
    split = 24 * 360
    mean = np.nanmean(load[:, :split], axis=1, keepdims=True)
    std = np.nanstd(load[:, :split], axis=1, keepdims=True)
    scaled = ((load - mean) / std).astype(np.float32)

    train_ds, val_ds = FeederWindows(scaled, 0, split), FeederWindows(scaled, split, load.shape[1])
    train_loader = DataLoader(train_ds, batch_size=128, shuffle=True, drop_last=True)
    val_loader = DataLoader(val_ds, batch_size=512)

    model = LoadForecaster()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    epochs = 3
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(train_loader))
    loss_fn = nn.MSELoss()

    for epoch in range(epochs):
        model.train()
        for step, (x, y) in enumerate(train_loader):
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(0.99).add_(pm, alpha=0.01)
            if step % 50 == 0:
                print(f"epoch {epoch} step {step:4d} loss {loss.item():.4f}")

        ema.eval()
        abs_err, count = 0.0, 0
        with torch.no_grad():
            for x, y in val_loader:
                err = (ema(x) - y).abs()
                abs_err += err.sum().item()
                count += err.numel()
        print(f"epoch {epoch} val MAE (standardised) {abs_err / count:.4f}")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "feeder_forecaster.pt")
        torch.save(ema, path)
        restored = torch.load(path, weights_only=False)
        print(f"saved {path} ({sum(p.numel() for p in restored.parameters())} parameters)")
    print(f"final val MAE {abs_err / count:.4f}")


if __name__ == "__main__":
    main()
