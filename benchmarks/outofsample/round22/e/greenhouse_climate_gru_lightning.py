"""One-hour-ahead inside temperature of a tomato greenhouse from the last 18 h of climate-computer logs.

A GRU reads 72 quarter-hour steps (long sequences, so the Lightning trainer clips gradient norms as
routine insurance) and predicts the change of inside temperature over the next hour. Early stopping on
the validation loss; the last 12 days are held out in time order.
"""
import numpy as np
import torch
import lightning as L
from lightning.pytorch.callbacks import EarlyStopping
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(5, verbose=False)
rng = np.random.default_rng(5)

STEPS_PER_DAY, DAYS, WINDOW, HORIZON = 96, 60, 72, 4


def simulate():
    n = STEPS_PER_DAY * DAYS
    t = np.arange(n)
    hour = (t % STEPS_PER_DAY) / 4
    cloud = np.clip(np.convolve(rng.normal(0.4, 0.35, n), np.ones(6) / 6, mode="same"), 0, 1)
    solar = np.clip(np.sin(np.pi * (hour - 6) / 14), 0, None) * 850 * (1 - 0.7 * cloud)
    t_out = 9 + 6 * np.sin(2 * np.pi * (hour - 9) / 24) + np.cumsum(rng.normal(0, 0.05, n))
    t_out -= np.linspace(0, t_out[-1] - t_out[0], n) * 0.8
    rh_out = np.clip(75 - 2 * (t_out - 9) + rng.normal(0, 4, n), 30, 100)
    t_in, rh_in = np.empty(n), np.empty(n)
    vent, pipe = np.empty(n), np.empty(n)
    t_in[0], rh_in[0] = 18.0, 70.0
    for i in range(n - 1):
        vent[i] = np.clip((t_in[i] - 23.0) / 4, 0, 1)
        pipe[i] = 45.0 if t_in[i] < 16.5 else (35.0 if t_in[i] < 18 else 20.0)
        dT = (0.04 * (t_out[i] - t_in[i]) + 0.0035 * solar[i] - 0.25 * vent[i] * (t_in[i] - t_out[i]) / 4
              + 0.012 * (pipe[i] - t_in[i]) * (pipe[i] > 20))
        t_in[i + 1] = t_in[i] + dT + rng.normal(0, 0.08)
        rh_in[i + 1] = np.clip(rh_in[i] + 0.3 * (0.002 * solar[i]) - 1.5 * vent[i] * (rh_in[i] - rh_out[i]) / 10
                               + rng.normal(0, 0.5), 40, 100)
    vent[-1], pipe[-1] = vent[-2], pipe[-2]
    hour_sin, hour_cos = np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24)
    feats = np.column_stack([t_in, t_out, solar, rh_in, vent, pipe, hour_sin, hour_cos])
    return feats, t_in


feats, t_in = simulate()
split = STEPS_PER_DAY * (DAYS - 12)
mu, sd = feats[:split].mean(0), feats[:split].std(0)
feats_n = ((feats - mu) / sd).astype(np.float32)


def windows(lo, hi, stride):
    xs, ys = [], []
    for end in range(max(lo, WINDOW), hi - HORIZON, stride):
        xs.append(feats_n[end - WINDOW:end])
        ys.append(t_in[end - 1 + HORIZON] - t_in[end - 1])
    return np.stack(xs), np.array(ys, dtype=np.float32)


Xtr, ytr = windows(0, split, 4)
Xva, yva = windows(split, len(t_in), 3)
y_sd = float(ytr.std())


class ClimateGRU(L.LightningModule):
    def __init__(self, n_feat, hidden=32, lr=3e-3, max_epochs=12):
        super().__init__()
        self.save_hyperparameters()
        self.gru = nn.GRU(n_feat, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))
        self.loss = nn.MSELoss()

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss(self(x), y / y_sd)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        pred = self(x) * y_sd
        self.log("val_loss", self.loss(pred / y_sd, y / y_sd), prog_bar=True)
        self.log("val_mae", (pred - y).abs().mean())

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.max_epochs, eta_min=1e-4)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=256)

model = ClimateGRU(Xtr.shape[2])
trainer = L.Trainer(max_epochs=12, gradient_clip_val=1.0, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                    callbacks=[EarlyStopping("val_loss", patience=3, mode="min")])
trainer.fit(model, train_dl, val_dl)
res = trainer.validate(model, val_dl, verbose=False)[0]
persistence = float(np.abs(yva).mean())  # "no change in the next hour"
print(f"epochs {trainer.current_epoch} val_MAE {res['val_mae']:.3f} degC (persistence {persistence:.3f} degC) "
      f"val_loss {res['val_loss']:.4f}")
