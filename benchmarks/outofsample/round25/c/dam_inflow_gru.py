"""Hydro-dam reservoir inflow: forecast tomorrow's inflow (m^3/s) from the last 60 days of
catchment rainfall, snowmelt index, temperature and observed inflow. GRU + EMA weights."""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
np.random.seed(8)
torch.set_num_threads(1)

WINDOW = 60


def catchment_history(days, rng):
    t = np.arange(days)
    temp = 6 + 11 * np.sin(2 * np.pi * (t - 110) / 365) + rng.normal(0, 2.5, days)
    storm = rng.random(days) < 0.22
    rain = storm * rng.gamma(1.2, 9.0, days)
    snow_pack = np.zeros(days)
    melt = np.zeros(days)
    soil = np.zeros(days)
    flow = np.zeros(days)
    base = 40.0
    for d in range(1, days):
        snowfall = rain[d] * (temp[d] < 0.5)
        melt[d] = min(snow_pack[d - 1], max(temp[d] - 0.5, 0) * 2.6)
        snow_pack[d] = snow_pack[d - 1] + snowfall - melt[d]
        liquid = rain[d] * (temp[d] >= 0.5) + melt[d]
        soil[d] = 0.93 * soil[d - 1] + liquid
        quick = liquid * (soil[d] / (soil[d] + 60)) * 6.0
        base = 0.985 * base + 0.02 * soil[d]
        flow[d] = 0.55 * flow[d - 1] + quick + 0.45 * base
    flow = flow * rng.lognormal(0, 0.05, days)
    feats = np.column_stack([np.log1p(rain), temp, np.log1p(melt), np.log1p(flow)])
    return feats.astype(np.float32), flow.astype(np.float32)


def windows(feats, flow, start, stop):
    xs, ys = [], []
    for d in range(start + WINDOW, stop - 1):
        xs.append(feats[d - WINDOW:d + 1])
        ys.append(np.log1p(flow[d + 1]))
    return np.stack(xs), np.array(ys, dtype=np.float32)


class InflowGRU(nn.Module):
    def __init__(self, n_in, hidden=48):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1]).squeeze(-1)


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)


@torch.no_grad()
def mae_m3s(model, loader, y_mu, y_sd):
    model.eval()
    err, n = 0.0, 0
    for xb, yb in loader:
        pred = torch.expm1(model(xb) * y_sd + y_mu)
        err += (pred - torch.expm1(yb * y_sd + y_mu)).abs().sum().item()
        n += len(yb)
    return err / n


def main():
    rng = np.random.default_rng(8)
    feats, flow = catchment_history(9 * 365, rng)
    split = 7 * 365                                      # seven years train, two years validation
    Xtr, ytr = windows(feats, flow, 0, split)
    Xva, yva = windows(feats, flow, split - WINDOW, len(flow))
    mu, sd = Xtr.reshape(-1, Xtr.shape[-1]).mean(0), Xtr.reshape(-1, Xtr.shape[-1]).std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    y_mu, y_sd = ytr.mean(), ytr.std()
    ytr, yva = (ytr - y_mu) / y_sd, (yva - y_mu) / y_sd
    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=256)

    model = InflowGRU(Xtr.shape[-1])
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    loss_fn = nn.HuberLoss(delta=1.0)
    baseline = np.abs(np.expm1(yva[:-1] * y_sd + y_mu) - np.expm1(yva[1:] * y_sd + y_mu)).mean()

    for epoch in range(8):
        model.train()
        for xb, yb in train_dl:
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            opt.step()
            ema_update(ema, model, decay=0.98)
        print(f"epoch {epoch + 1}  train huber {loss.item():.4f}  val MAE raw {mae_m3s(model, val_dl, y_mu, y_sd):.2f}"
              f"  ema {mae_m3s(ema, val_dl, y_mu, y_sd):.2f} m3/s")

    path = os.path.join(tempfile.mkdtemp(), "inflow_ema.pt")
    torch.save(ema, path)
    restored = torch.load(path, weights_only=False)
    print(f"persistence baseline MAE {baseline:.2f} m3/s")
    print(f"final val MAE (EMA, restored) {mae_m3s(restored, val_dl, y_mu, y_sd):.2f} m3/s")


if __name__ == "__main__":
    main()
