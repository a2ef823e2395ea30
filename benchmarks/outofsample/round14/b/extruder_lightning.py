"""Fault classification for a plastics extruder from barrel thermocouples (Lightning).

Six heating zones are logged once a second; a 64 s window of the six zone
temperatures (kelvin, as the PLC historian exports them) is classified into
normal operation or one of five fault states. Compact 1-D CNN, Adam with a
cosine schedule, validation accuracy and macro-F1.
"""
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import f1_score
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
ZONES, WIN = 6, 64
STATES = ["normal", "heater_loss", "fan_stuck", "tc_drift", "pid_hunting", "feed_surge"]
SETPOINTS = np.array([463.0, 473.0, 478.0, 483.0, 488.0, 485.0])


def historian_windows(n, rng):
    t = np.arange(WIN, dtype=np.float64)
    y = rng.integers(0, len(STATES), n)
    X = np.empty((n, ZONES, WIN), np.float32)
    for k in range(n):
        sp = SETPOINTS + rng.normal(0, 1.0, ZONES)
        w = sp[:, None] + np.cumsum(rng.normal(0, 0.05, (ZONES, WIN)), 1)
        w += 0.35 * np.sin(2 * np.pi * t / rng.uniform(20, 40) + rng.uniform(0, 6, (ZONES, 1)))
        z = rng.integers(ZONES)
        onset = rng.integers(5, 35)
        ramp = np.clip(t - onset, 0, None)
        s = y[k]
        if s == 1:   # one zone's heater band fails: slow cooling
            w[z] -= 0.15 * ramp * rng.uniform(0.7, 1.3)
        elif s == 2:  # cooling fan stuck on: zone sits low with coupling to its neighbour
            w[z] -= rng.uniform(3.0, 5.0)
            w[(z + 1) % ZONES] -= rng.uniform(0.8, 1.5)
        elif s == 3:  # thermocouple drift: a single channel creeps upward
            w[z] += 0.12 * ramp * rng.uniform(0.7, 1.3)
        elif s == 4:  # badly tuned PID: fast oscillation on one zone
            w[z] += rng.uniform(1.5, 2.5) * np.sin(2 * np.pi * t / rng.uniform(5, 8))
        elif s == 5:  # cold feed surge: all zones dip briefly together
            w -= rng.uniform(2.5, 4.0) * np.exp(-0.5 * ((t - onset - 10) / 4.0) ** 2)
        X[k] = w + rng.normal(0, 0.25, (ZONES, WIN))
    return X, y


class ZoneCNN(L.LightningModule):
    def __init__(self, n_classes=len(STATES), lr=5e-3, epochs=15):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Conv1d(ZONES, 32, 5, padding=2), nn.ReLU(),
            nn.Conv1d(32, 32, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
            nn.Linear(64, n_classes),
        )
        self.val_preds, self.val_targets = [], []

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), on_epoch=True)
        self.val_preds.append(logits.argmax(1))
        self.val_targets.append(y)

    def on_validation_epoch_end(self):
        p = torch.cat(self.val_preds).numpy()
        t = torch.cat(self.val_targets).numpy()
        self.val_preds.clear()
        self.val_targets.clear()
        self.last_acc = float((p == t).mean())
        self.last_f1 = float(f1_score(t, p, average="macro"))

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


def main():
    L.seed_everything(3, verbose=False)
    rng = np.random.default_rng(3)
    X_k, y = historian_windows(2400, rng)
    X_tr, X_va = X_k[:1800], X_k[1800:]
    mu = X_tr.mean(axis=(0, 2), keepdims=True)
    sd = X_tr.std(axis=(0, 2), keepdims=True)
    X_tr, X_va = torch.tensor(X_tr), torch.tensor(X_va)
    y = torch.tensor(y)
    train = TensorDataset(X_tr, y[:1800])
    val = TensorDataset(X_va, y[1800:])
    epochs = 15
    model = ZoneCNN(epochs=epochs)
    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, DataLoader(train, batch_size=64, shuffle=True),
                DataLoader(val, batch_size=600))
    print(f"train_loss {trainer.callback_metrics['train_loss']:.4f} "
          f"val_loss {trainer.callback_metrics['val_loss']:.4f}")
    print(f"final val_acc {model.last_acc:.4f} val_macro_f1 {model.last_f1:.4f}")


if __name__ == "__main__":
    main()
