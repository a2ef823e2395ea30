"""Frost build-up on cold-store evaporators, classified from the telemetry before a defrost.

Each sample is 48 one-minute readings (coil temperature, suction pressure, fan current,
door-open flag) before a scheduled defrost; the label is the frost load the technician
measured when the defrost started (light / moderate / heavy). Lightning, GRU encoder.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning.pytorch as pl
from torch.utils.data import DataLoader, TensorDataset

T = 48
CLASSES = ["light", "moderate", "heavy"]


def simulate(n, rng):
    t = np.arange(T)[None, :]
    rate = rng.lognormal(mean=np.log(0.5), sigma=0.55, size=(n, 1))
    door_rate = rng.uniform(0.02, 0.15, size=(n, 1))
    doors = (rng.random((n, T)) < door_rate).astype(np.float32)
    humid = rng.uniform(0.6, 1.4, size=(n, 1))
    growth = rate * (0.02 * humid + 0.35 * doors)
    frost = np.cumsum(growth, axis=1)                      # mm of ice on the fins
    offset_t = rng.normal(-24.0, 2.5, size=(n, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    period = rng.uniform(9, 15, size=(n, 1))
    cycle = np.sin(2 * np.pi * t / period + phase)
    coil = offset_t - 2.2 * frost + 1.2 * cycle + 0.9 * doors + rng.normal(0, 0.5, (n, T))
    suction = rng.normal(1.9, 0.2, (n, 1)) - 0.22 * frost + 0.08 * cycle + rng.normal(0, 0.04, (n, T))
    fan = rng.normal(1.3, 0.15, (n, 1)) + 0.18 * frost + rng.normal(0, 0.05, (n, T))
    X = np.stack([coil, suction, fan, doors], axis=-1).astype(np.float32)
    final = frost[:, -1]
    return X, final


class FrostClassifier(pl.LightningModule):
    def __init__(self, n_feat=4, hidden=32, n_classes=3, lr=3e-3, epochs=12):
        super().__init__()
        self.save_hyperparameters()
        self.gru = nn.GRU(n_feat, hidden, num_layers=1)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x):                 # x: (batch, time, features)
        out, _ = self.gru(x)
        return self.head(out[:, -1])

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


def main():
    pl.seed_everything(11, workers=True)
    rng = np.random.default_rng(11)
    X, final = simulate(2400, rng)
    n_tr = 1800
    cuts = np.quantile(final[:n_tr], [1 / 3, 2 / 3])
    y = np.digitize(final, cuts).astype(np.int64)
    mu = X[:n_tr].reshape(-1, 4).mean(0)
    sd = X[:n_tr].reshape(-1, 4).std(0)
    mu[3], sd[3] = 0.0, 1.0                               # leave the door flag as 0/1
    X = (X - mu) / sd

    train_ds = TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr]))
    val_ds = TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:]))
    train_dl = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_dl = DataLoader(val_ds, batch_size=128)

    epochs = 10
    model = FrostClassifier(epochs=epochs)
    trainer = pl.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, gradient_clip_val=1.0)
    trainer.fit(model, train_dl, val_dl)
    res = trainer.validate(model, val_dl, verbose=False)[0]
    print(f"final val_loss {res['val_loss']:.4f} val_acc {res['val_acc']:.4f}")


if __name__ == "__main__":
    main()
