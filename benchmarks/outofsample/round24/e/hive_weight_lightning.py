"""Beekeeping: forecast the next 24 h change in hive weight (kg) from the last
six days of 3-hourly scale and weather readings, with an uncertainty band.

An LSTM in Lightning predicts a mean and a variance and is fitted with a
Gaussian negative log-likelihood; ReduceLROnPlateau + EarlyStopping on the
validation loss.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from lightning.pytorch.callbacks import EarlyStopping
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(5, verbose=False)
rng = np.random.default_rng(5)
T = 48  # 6 days x 8 readings


def simulate(n):
    t = np.arange(T + 8)
    hour = (t % 8) * 3
    day = t // 8
    season = rng.uniform(0, 1, (n, 1))                 # early spring .. main flow
    colony = rng.lognormal(0, 0.3, (n, 1))             # colony strength
    temp = 12 + 10 * season + 6 * np.sin(2 * np.pi * (hour - 9) / 24) + rng.normal(0, 2, (n, 1)) \
        + np.cumsum(rng.normal(0, 0.6, (n, T + 8)), 1) * 0.3
    rain = (rng.random((n, T + 8)) < 0.08 + 0.1 * (rng.random((n, 1)) < 0.3)).astype(np.float32)
    rain = np.maximum(rain, np.roll(rain, 1, 1) * (rng.random((n, T + 8)) < 0.6))
    foraging = (hour >= 9) & (hour <= 18)
    nectar = colony * np.clip(temp - 14, 0, None) / 10 * (1 - rain) * foraging * (0.2 + season)
    consumption = 0.04 * colony * (1 + 0.02 * np.abs(temp - 20))
    delta = nectar * 0.35 - consumption + rng.normal(0, 0.03, (n, T + 8)) * colony
    weight = 30 + np.cumsum(delta, 1)
    humidity = 60 + 25 * rain - 0.8 * (temp - 15) + rng.normal(0, 4, (n, T + 8))
    feats = np.stack([np.diff(weight, prepend=weight[:, :1], axis=1), temp, humidity, rain,
                      np.sin(2 * np.pi * hour / 24) * np.ones((n, 1)), np.cos(2 * np.pi * hour / 24) * np.ones((n, 1))], -1)
    x = feats[:, :T]
    y = weight[:, T + 7] - weight[:, T - 1]
    return x.astype(np.float32), y.astype(np.float32)


X, y = simulate(3600)
tr, va, te = slice(0, 2600), slice(2600, 3100), slice(3100, None)
mu = X[tr].reshape(-1, X.shape[-1]).mean(0)
sd = X[tr].reshape(-1, X.shape[-1]).std(0)
X = (X - mu) / sd
y_mu, y_sd = y[tr].mean(), y[tr].std()
Y = (y - y_mu) / y_sd


def loader(s, shuffle):
    return DataLoader(TensorDataset(torch.from_numpy(X[s]), torch.from_numpy(Y[s])), batch_size=64, shuffle=shuffle)


class HiveForecaster(L.LightningModule):
    def __init__(self, n_feats, hidden=48, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.lstm = nn.LSTM(n_feats, hidden, batch_first=True)
        self.mean = nn.Linear(hidden, 1)
        self.logvar = nn.Linear(hidden, 1)
        self.nll = nn.GaussianNLLLoss()

    def forward(self, x):
        h, _ = self.lstm(x)
        last = h[:, -1]
        return self.mean(last).squeeze(-1), F.softplus(self.logvar(last)).squeeze(-1) + 1e-4

    def _loss(self, batch):
        x, yb = batch
        m, var = self(x)
        return self.nll(m, yb, var), m, var

    def training_step(self, batch, _):
        loss, _, _ = self._loss(batch)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        loss, m, _ = self._loss(batch)
        self.log("val_loss", loss, prog_bar=False)
        self.log("val_mae_kg", (m - batch[1]).abs().mean() * y_sd)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


model = HiveForecaster(X.shape[-1])
trainer = L.Trainer(max_epochs=25, callbacks=[EarlyStopping("val_loss", patience=4)],
                    logger=False, enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False, gradient_clip_val=1.0, accelerator="cpu", devices=1)
trainer.fit(model, loader(tr, True), loader(va, False))

model.eval()
with torch.no_grad():
    m, var = model(torch.from_numpy(X[te]))
pred = m.numpy() * y_sd + y_mu
std = np.sqrt(var.numpy()) * y_sd
truth = y[te]
mae = np.abs(pred - truth).mean()
base = np.abs(truth - np.median(y[tr])).mean()
cover = np.mean(np.abs(truth - pred) <= 1.2816 * std)
print(f"stopped after {trainer.current_epoch} epochs")
print(f"test MAE {mae:.3f} kg (climatology {base:.3f} kg)  80% band coverage {cover:.2f}")
