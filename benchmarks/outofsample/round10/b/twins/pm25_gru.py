"""Next-hour PM2.5 from the last 24 h of a roadside monitoring station (GRU regressor).

Channels: pm25, no2, temperature, humidity, wind speed, traffic count (per hour).
The humidity and wind sensors drop out now and then; the logger writes NaN for those hours.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

WINDOW = 24


def station_log(hours, rng):
    t = np.arange(hours)
    daily = np.sin(2 * np.pi * t / 24 - 1.2)
    temp = 12 + 6 * daily + np.cumsum(rng.normal(0, 0.25, hours)) * 0.3
    hum = np.clip(70 - 2.2 * (temp - 12) + rng.normal(0, 5, hours), 20, 100)
    wind = np.abs(3 + np.convolve(rng.normal(0, 1.5, hours), np.ones(6) / 6, mode="same"))
    traffic = np.maximum(0, 400 + 350 * np.sin(2 * np.pi * (t % 24) / 24 - 2.0)
                         + 250 * ((t % 24 == 8) | (t % 24 == 17)) + rng.normal(0, 40, hours))
    no2 = 15 + 0.05 * traffic / (0.5 + 0.3 * wind) + rng.normal(0, 3, hours)
    pm = np.zeros(hours)
    pm[0] = 20
    for h in range(1, hours):
        pm[h] = (0.82 * pm[h - 1] + 0.012 * traffic[h] + 0.09 * (hum[h] - 60)
                 - 1.1 * wind[h] + 2.5 + rng.normal(0, 1.5))
    pm = np.maximum(pm, 1.0)
    log = np.column_stack([pm, no2, temp, hum, wind, traffic]).astype(np.float32)
    for c in (3, 4):                                  # sensor dropouts
        gaps = rng.random(hours) < 0.015
        log[gaps, c] = np.nan
    return log


class Windows(Dataset):
    def __init__(self, series, target):
        self.series, self.target = series, target

    def __len__(self):
        return len(self.series) - WINDOW

    def __getitem__(self, i):
        return (torch.from_numpy(self.series[i:i + WINDOW]),
                torch.tensor(self.target[i + WINDOW], dtype=torch.float32))


class Forecaster(nn.Module):
    def __init__(self, n_ch, hidden=48):
        super().__init__()
        self.gru = nn.GRU(n_ch, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


def main():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    log = station_log(24 * 200, rng)
    split = 24 * 160
    train_log, val_log = log[:split], log[split:]

    fill = np.nanmean(train_log, axis=0)
    train_log = np.where(np.isnan(train_log), fill, train_log)
    val_log = np.where(np.isnan(val_log), fill, val_log)

    mu, sd = train_log.mean(0), train_log.std(0)
    train_x, val_x = (train_log - mu) / sd, (val_log - mu) / sd
    train_x, val_x = train_x.astype(np.float32), val_x.astype(np.float32)

    train_dl = DataLoader(Windows(train_x, train_x[:, 0]), batch_size=64, shuffle=True)
    val_dl = DataLoader(Windows(val_x, val_x[:, 0]), batch_size=256)

    model = Forecaster(log.shape[1])
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    loss_fn = nn.MSELoss()
    for epoch in range(9):
        model.train()
        for xb, yb in train_dl:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        model.eval()
        preds, tgts = [], []
        with torch.no_grad():
            for xb, yb in val_dl:
                preds.append(model(xb))
                tgts.append(yb)
        p, t = torch.cat(preds) * sd[0] + mu[0], torch.cat(tgts) * sd[0] + mu[0]
        rmse = torch.sqrt(((p - t) ** 2).mean()).item()
        if epoch % 3 == 2:
            print(f"epoch {epoch + 1:2d} val_rmse {rmse:.3f} ug/m3")
    naive = torch.sqrt(((torch.from_numpy(val_log[WINDOW - 1:-1, 0]) - t) ** 2).mean()).item()
    print(f"final val_rmse {rmse:.3f} (persistence baseline {naive:.3f})")


if __name__ == "__main__":
    main()
