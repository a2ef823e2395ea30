"""Hourly bike-share rentals per docking station cluster (Lightning).

Predicts log(1 + rentals) from calendar and weather features; reported as RMSLE and R^2 on
a held-out random sample of hours.
"""
import argparse

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def station_hours(n, rng):
    hour = rng.integers(0, 24, n)
    weekday = rng.integers(0, 7, n)
    month = rng.integers(1, 13, n)
    holiday = (rng.random(n) < 0.03).astype(np.float32)
    workday = ((weekday < 5) & (holiday == 0)).astype(np.float32)
    season_temp = 14 - 10 * np.cos(2 * np.pi * (month - 1) / 12)
    temp = season_temp + 5 * np.sin(2 * np.pi * (hour - 9) / 24) + rng.normal(0, 3, n)
    humidity = np.clip(rng.normal(62, 15, n), 15, 100)
    wind = rng.gamma(2.0, 2.5, n)
    weather = rng.choice(4, n, p=[0.62, 0.25, 0.11, 0.02])   # clear, mist, light rain, storm
    cluster = rng.integers(0, 5, n)

    commute = workday * (2.2 * np.exp(-((hour - 8) ** 2) / 2.0) + 2.6 * np.exp(-((hour - 17.5) ** 2) / 3.0))
    leisure = (1 - workday) * 1.6 * np.exp(-((hour - 14) ** 2) / 12.0)
    night = -1.8 * ((hour < 6) | (hour > 22))
    comfort = -0.006 * (temp - 22) ** 2 - 0.012 * np.clip(humidity - 70, 0, None) - 0.03 * wind
    rain = np.array([0.0, -0.25, -1.1, -2.3])[weather]
    size = np.array([0.0, 0.5, 0.9, -0.4, 0.2])[cluster]
    rate = np.exp(3.2 + commute * (1 + 0.3 * (cluster == 2)) + leisure + night + comfort + rain + size)
    rentals = rng.poisson(rate)

    feats = [np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
             np.sin(2 * np.pi * month / 12), np.cos(2 * np.pi * month / 12),
             workday, holiday, (temp - 14) / 8, (humidity - 62) / 15, (wind - 5) / 3.5]
    X = np.column_stack(feats + [np.eye(7)[weekday], np.eye(4)[weather], np.eye(5)[cluster]])
    return X.astype(np.float32), np.log1p(rentals).astype(np.float32)


class DemandModel(L.LightningModule):
    def __init__(self, d_in, hidden=96, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(d_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.mse_loss(self(x), y)
        self.log("train_loss", loss, on_step=True, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        loss = F.mse_loss(self(x), y)
        self.log("val_loss", loss, on_epoch=True, prog_bar=False)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=128)
    args = p.parse_args()

    L.seed_everything(3, verbose=False)
    rng = np.random.default_rng(3)
    X, y = station_hours(6000, rng)
    y_mean, y_std = y[:4800].mean(), y[:4800].std()
    ys = (y - y_mean) / y_std
    train = TensorDataset(torch.from_numpy(X[:4800]), torch.from_numpy(ys[:4800]))
    val = TensorDataset(torch.from_numpy(X[4800:]), torch.from_numpy(ys[4800:]))
    train_loader = DataLoader(train, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val, batch_size=512)

    model = DemandModel(X.shape[1])
    trainer = L.Trainer(max_steps=args.epochs, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, check_val_every_n_epoch=5)
    trainer.fit(model, train_loader, val_loader)

    model.eval()
    with torch.no_grad():
        pred = model(val.tensors[0]) * y_std + y_mean
    true = val.tensors[1] * y_std + y_mean
    mse = float(((pred - true) ** 2).mean())
    r2 = 1 - mse / float(true.var(unbiased=False))
    print(f"steps {trainer.global_step}  final val_rmsle {mse ** 0.5:.4f}  val_r2 {r2:.4f}")


if __name__ == "__main__":
    main()
