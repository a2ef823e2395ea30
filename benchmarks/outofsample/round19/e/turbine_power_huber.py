"""Wind-turbine SCADA: predict active power from 10-minute SCADA aggregates.

The SCADA log has the usual junk: curtailment periods, icing and sensor glitches give
heavy-tailed residuals, so the model is fitted with a Huber loss on standardised targets.
"""
import argparse
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_scada(n, rng):
    wind = rng.weibull(2.2, n) * 8.5                      # hub-height wind speed, m/s
    direction = rng.uniform(0, 360, n)                    # nacelle-relative wind direction
    yaw_err = rng.normal(0, 6, n)                         # degrees
    air_temp = rng.normal(9, 7, n)                        # deg C
    pressure = rng.normal(1012, 9, n)                     # hPa
    ti = np.clip(rng.gamma(4, 0.03, n), 0.02, 0.5)        # turbulence intensity
    pitch = np.where(wind > 12, (wind - 12) * 2.2, 0.0) + rng.normal(0, 0.4, n)
    rotor_rpm = np.clip(6 + 1.05 * np.minimum(wind, 12), 0, 16) + rng.normal(0, 0.3, n)

    rho = pressure * 100 / (287.05 * (air_temp + 273.15))
    # idealised power curve of a 2.3 MW machine: cut-in 3.5, rated 12.5, cut-out 25 m/s
    v = wind * np.cos(np.deg2rad(yaw_err)) ** (1 / 3)
    frac = np.clip((v ** 3 - 3.5 ** 3) / (12.5 ** 3 - 3.5 ** 3), 0, 1)
    power = 2300 * frac * (rho / 1.225) * (1 - 0.6 * (ti - 0.1) * (v < 12.5))
    power *= 1 - 0.04 * np.sin(np.deg2rad(direction)) ** 2   # wake losses from one sector
    power[wind > 25] = 0.0
    # heavy-tailed errors: a few curtailments, icing, glitches
    noise = rng.standard_t(2.5, n) * 35
    curtailed = rng.random(n) < 0.03
    power = power + noise
    power[curtailed] *= rng.uniform(0.2, 0.7, curtailed.sum())
    X = np.column_stack([wind, np.sin(np.deg2rad(direction)), np.cos(np.deg2rad(direction)),
                         yaw_err, air_temp, pressure, ti, pitch, rotor_rpm])
    return X.astype(np.float32), power.astype(np.float32)


class PowerNet(nn.Module):
    def __init__(self, d_in, width=96):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, width), nn.SiLU(),
            nn.Linear(width, width), nn.SiLU(),
            nn.Linear(width, width // 2), nn.SiLU(),
        )
        self.head = nn.Linear(width // 2, 1)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    X, y = make_scada(7000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:5600], idx[5600:]

    x_mean, x_std = X[tr].mean(0), X[tr].std(0)
    y_mean, y_std = y[tr].mean(), y[tr].std()
    Xn = (X - x_mean) / x_std
    yn = (y - y_mean) / y_std

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xn[tr]), torch.from_numpy(yn[tr])),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xn[va]), torch.from_numpy(yn[va])),
                            batch_size=512)

    model = PowerNet(X.shape[1])
    criterion = nn.HuberLoss(delta=1.0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=len(train_loader))

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
            scheduler.step()
            running += loss.item() * len(xb)

        model.eval()
        preds = []
        with torch.no_grad():
            for xb, _ in val_loader:
                preds.append(model(xb))
        pred_kw = torch.cat(preds).numpy() * y_std + y_mean
        true_kw = y[va]
        mae = np.abs(pred_kw - true_kw).mean()
        if epoch % 5 == 0 or epoch == 1:
            print(f"epoch {epoch:2d}  train huber {running / len(tr):.4f}  val MAE {mae:.1f} kW")

    r2 = 1 - ((pred_kw - true_kw) ** 2).sum() / ((true_kw - true_kw.mean()) ** 2).sum()
    med_ae = np.median(np.abs(pred_kw - true_kw))
    print(f"final: val MAE {mae:.1f} kW  median AE {med_ae:.1f} kW  R2 {r2:.4f}")


if __name__ == "__main__":
    main()
