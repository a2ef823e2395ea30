"""Two-hour-ahead air-temperature nowcast from three days of hourly station observations.

Each sample is an independent 72-hour window (temperature, dew point, pressure tendency,
wind speed, cloud cover, shortwave radiation) from one of many stations and dates; the target is
the temperature two hours after the window ends. One-layer GRU over the full 72 steps,
linear warm-up then cosine decay stepped per batch, gradient-norm clipping at 1.0.
"""
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEQ, HORIZON = 72, 2


def station_windows(n=1600, seed=12):
    rng = np.random.default_rng(seed)
    T = SEQ + HORIZON
    h = np.arange(T)
    out_x = np.empty((n, SEQ, 6), dtype=np.float32)
    out_y = np.empty(n, dtype=np.float32)
    for i in range(n):
        doy = rng.uniform(0, 365)
        base = 10 - 11 * np.cos(2 * np.pi * (doy - 20) / 365) + rng.normal(0, 3)
        amp = rng.uniform(3, 8)
        start_hour = rng.integers(0, 24)
        hod = (start_hour + h) % 24
        # synoptic systems: slow pressure waves with cloud and temperature responses
        p_wave = np.cumsum(rng.normal(0, 0.35, T))
        p_wave = p_wave - np.convolve(p_wave, np.ones(24) / 24, mode="same") * 0.5
        cloud = 1 / (1 + np.exp(-(-p_wave * 0.6 + rng.normal(0, 0.6, T))))
        sw = np.clip(np.sin(np.pi * (hod - 6) / 12), 0, None) * (1 - 0.7 * cloud) * (600 + 300 * np.sin(2 * np.pi * (doy - 80) / 365))
        temp = base + amp * (1 - 0.6 * cloud) * np.sin(2 * np.pi * (hod - 9) / 24) + 0.45 * p_wave
        temp = temp + np.cumsum(rng.normal(0, 0.15, T)) * 0.5
        dew = temp - (4 + 6 * (1 - cloud)) + rng.normal(0, 0.6, T)
        p_tend = np.diff(p_wave, prepend=p_wave[0]) * 3
        wind = np.abs(3 + 1.5 * np.abs(np.gradient(p_wave)) * 4 + rng.normal(0, 1, T))
        obs = np.column_stack([temp + rng.normal(0, 0.2, T), dew, p_tend, wind, cloud * 8, sw])
        out_x[i] = obs[:SEQ]
        out_y[i] = temp[SEQ + HORIZON - 1]
    return out_x, out_y


class Nowcaster(nn.Module):
    def __init__(self, n_in=6, hidden=48):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1]).squeeze(-1)


def warmup_cosine(total, warmup):
    def f(step):
        if step < warmup:
            return (step + 1) / warmup
        t = (step - warmup) / max(1, total - warmup)
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * t))
    return f


def main():
    torch.manual_seed(4)
    X, y = station_windows()
    n_tr = 1300
    mu = X[:n_tr].reshape(-1, 6).mean(0)
    sd = X[:n_tr].reshape(-1, 6).std(0)
    X = (X - mu) / sd
    # predict the change from the last observed temperature, in units of its spread
    last = X[:, -1, 0] * sd[0] + mu[0]
    delta = y - last
    d_mu, d_sd = delta[:n_tr].mean(), delta[:n_tr].std()
    target = (delta - d_mu) / d_sd

    Xt, yt = torch.from_numpy(X), torch.from_numpy(target.astype(np.float32))
    train_loader = DataLoader(TensorDataset(Xt[:n_tr], yt[:n_tr]), batch_size=64, shuffle=True)
    Xva, yva = Xt[n_tr:], yt[n_tr:]

    epochs = 12
    model = Nowcaster()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    total = epochs * len(train_loader)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(total, warmup=30))

    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()
        model.eval()
        with torch.no_grad():
            val_mse = nn.functional.mse_loss(model(Xva), yva).item()
        if epoch % 3 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch:2d}  lr {scheduler.get_last_lr()[0]:.2e}  train_mse {loss.item():.4f}  val_mse {val_mse:.4f}")

    with torch.no_grad():
        pred_delta = model(Xva).numpy() * d_sd + d_mu
    truth = y[n_tr:]
    rmse = float(np.sqrt(np.mean((last[n_tr:] + pred_delta - truth) ** 2)))
    persist = float(np.sqrt(np.mean((last[n_tr:] - truth) ** 2)))
    print(f"val RMSE {rmse:.3f} degC  (persistence {persist:.3f} degC)")


if __name__ == "__main__":
    main()
