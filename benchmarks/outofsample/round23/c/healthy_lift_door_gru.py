"""Lift-door condition monitoring: one sequence per open/close cycle (door-operator motor
current + panel accelerometer, 160 samples). Most cycles are healthy, so the loss is
class-weighted; a GRU reads the whole cycle. Lightning with gradient clipping and early stopping.
"""
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from lightning.pytorch.callbacks import EarlyStopping
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore", ".*does not have many workers.*")
L.seed_everything(29, verbose=False)
rng = np.random.default_rng(29)

T = 160
CLASSES = ["healthy", "roller_wear", "obstruction", "belt_slack"]
PRIOR = [0.76, 0.10, 0.07, 0.07]


def cycle(label):
    t = np.linspace(0, 1, T)
    delay = 0.05 + (rng.uniform(0.06, 0.12) if label == 3 else rng.uniform(0, 0.03))
    # trapezoidal speed profile: open, dwell, close
    def trap(a, b):
        return np.clip(np.minimum((t - a) / 0.06, (b - t) / 0.06), 0, 1)
    speed = trap(delay, 0.42) - trap(0.55, 0.93)
    current = 0.3 + 1.2 * np.abs(np.gradient(speed, t)) / 20 + 0.6 * np.abs(speed)
    accel = 0.05 * rng.normal(size=T)
    if label == 1:
        moving = np.abs(speed) > 0.2
        accel += moving * 0.12 * np.sin(2 * np.pi * rng.uniform(24, 34) * t) * rng.uniform(0.7, 1.3)
    elif label == 2:
        k = rng.integers(int(0.62 * T), int(0.85 * T))
        current[k:k + 8] += rng.uniform(0.5, 0.9)
        accel[k:k + 3] += rng.uniform(0.3, 0.6)
    elif label == 3:
        current *= rng.uniform(0.8, 0.9)
    current *= rng.uniform(0.9, 1.1)
    current += rng.normal(0, 0.05, T)
    return np.stack([current, accel], axis=1).astype(np.float32)


def make(n):
    y = rng.choice(4, size=n, p=PRIOR)
    return np.stack([cycle(c) for c in y]), y


Xtr, ytr = make(1100)
Xva, yva = make(400)
mu, sd = Xtr.mean(axis=(0, 1)), Xtr.std(axis=(0, 1))
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

counts = np.bincount(ytr, minlength=4)
class_weights = torch.tensor(len(ytr) / (4 * counts), dtype=torch.float32)
print("train class counts", counts.tolist(), "weights", [round(w, 2) for w in class_weights.tolist()])


class DoorGRU(L.LightningModule):
    def __init__(self, hidden=32, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.gru = nn.GRU(2, hidden, batch_first=True)
        self.head = nn.Linear(2 * hidden, 4)
        self.register_buffer("class_weights", class_weights)
        self.val_preds = []

    def forward(self, x):
        out, h = self.gru(x)
        return self.head(torch.cat([h[-1], out.amax(1)], dim=1))

    def training_step(self, batch, _):
        x, y = batch
        loss = F.cross_entropy(self(x), y, weight=self.class_weights)
        self.log("train_loss", loss, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y, weight=self.class_weights), on_epoch=True)
        self.val_preds.append((logits.argmax(1), y))

    def on_validation_epoch_end(self):
        pred = torch.cat([p for p, _ in self.val_preds])
        y = torch.cat([t for _, t in self.val_preds])
        self.val_preds.clear()
        recalls = [(pred[y == c] == c).float().mean() for c in range(4) if (y == c).any()]
        self.log("val_bal_acc", torch.stack(recalls).mean())
        self.log("val_acc", (pred == y).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=250)

model = DoorGRU()
trainer = L.Trainer(max_epochs=14, accelerator="cpu", gradient_clip_val=1.0, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                    callbacks=[EarlyStopping("val_loss", patience=4, mode="min")])
trainer.fit(model, train_dl, val_dl)
m = trainer.callback_metrics
print(f"FINAL epochs {trainer.current_epoch} val_bal_acc {m['val_bal_acc'].item():.4f} "
      f"val_acc {m['val_acc'].item():.4f} val_loss {m['val_loss'].item():.4f}")
