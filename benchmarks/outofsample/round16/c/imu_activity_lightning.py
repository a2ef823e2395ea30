"""Human activity recognition from wrist IMU windows (accelerometer + gyroscope), Lightning.

2.56 s windows at 25 Hz, six channels. Activities differ by cadence, intensity and the
orientation of gravity in the sensor frame.
"""
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
L.seed_everything(3, verbose=False)
rng = np.random.default_rng(3)

ACTIVITIES = ["walk", "jog", "stairs_up", "stairs_down", "sit", "stand"]
T, HZ = 64, 25.0
tt = np.arange(T) / HZ


def window(a):
    cadence = {0: 1.8, 1: 2.7, 2: 1.5, 3: 2.0}.get(a, 0.0) * rng.uniform(0.95, 1.05)
    amp = {0: 0.35, 1: 0.9, 2: 0.35, 3: 0.35}.get(a, 0.02)
    g = np.array([0.0, 0.0, 1.0]) if a != 4 else np.array([0.0, 0.7, 0.7])
    g = g + rng.normal(0, 0.08, 3)
    ph = rng.uniform(0, 2 * np.pi)
    acc = np.tile(g, (T, 1))
    if cadence:
        step = np.sin(2 * np.pi * cadence * tt + ph)
        harm = 0.5 * np.sin(2 * np.pi * 2 * cadence * tt + ph) if a in (2, 3) else 0
        sign = 1 if a != 3 else -1
        acc[:, 2] += amp * (step + harm)
        acc[:, 0] += 0.4 * amp * np.cos(2 * np.pi * cadence * tt + ph)
        acc[:, 0] += sign * 0.25 * (a in (2, 3))  # trunk leans into / away from the slope
    gyro = rng.normal(0, 0.05, (T, 3))
    if cadence:
        gyro[:, 0] += 0.6 * amp * np.sin(2 * np.pi * cadence * tt + ph + 0.8)
    x = np.concatenate([acc, gyro], axis=1) + rng.normal(0, 0.06, (T, 6))
    return x.astype(np.float32)


def dataset(n_per):
    X = np.stack([window(a) for a in range(len(ACTIVITIES)) for _ in range(n_per)])
    y = np.repeat(np.arange(len(ACTIVITIES)), n_per)
    return torch.from_numpy(X), torch.from_numpy(y)


X_tr, y_tr = dataset(200)
X_va, y_va = dataset(60)
ch_mean, ch_std = X_tr.mean(dim=(0, 1)), X_tr.std(dim=(0, 1))
X_tr, X_va = (X_tr - ch_mean) / ch_std, (X_va - ch_mean) / ch_std


class ActivityLSTM(L.LightningModule):
    def __init__(self, n_channels=6, hidden=64, n_classes=6, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.lstm = nn.LSTM(n_channels, hidden, num_layers=1)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


train_dl = DataLoader(TensorDataset(X_tr, y_tr), batch_size=32, shuffle=True)
val_dl = DataLoader(TensorDataset(X_va, y_va), batch_size=64)

model = ActivityLSTM()
trainer = L.Trainer(max_epochs=12, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)
res = trainer.validate(model, val_dl, verbose=False)[0]
print(f"final val_acc {res['val_acc']:.4f}  val_loss {res['val_loss']:.4f}")
