"""Per-layer fault detection for a fleet of FDM 3D printers (LightningModule).

Every printed layer is logged as 64 samples of four channels: hot-end temperature deviation, extruder
motor current, z-axis accelerometer and part-cooling fan duty. Each layer is labelled by the print
farm's operators: ok, under-extrusion, layer shift, partial clog, or fan dropout.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import lightning as L

CLASSES = ["ok", "under_extrusion", "layer_shift", "partial_clog", "fan_dropout"]
T = 64


def simulate_layers(n, rng):
    t = np.linspace(0, 1, T)
    y = rng.integers(0, len(CLASSES), n)
    X = np.zeros((n, 4, T), dtype=np.float32)
    for i in range(n):
        speed = rng.uniform(0.7, 1.3)                       # print speed of this job
        phase = rng.uniform(0, 2 * np.pi)
        temp = 0.4 * np.sin(2 * np.pi * 3 * t + phase) + rng.normal(0, 0.25, T)
        current = speed * (1.0 + 0.15 * np.sin(2 * np.pi * 9 * speed * t + phase)) + rng.normal(0, 0.08, T)
        accel = 0.3 * rng.normal(0, 1, T) * speed
        fan = 0.8 + rng.normal(0, 0.03, T)
        c = y[i]
        if c == 1:      # under-extrusion: periodic current sags as the gear slips
            slips = (np.sin(2 * np.pi * rng.uniform(4, 7) * t + phase) > 0.6)
            current -= 0.2 * slips * speed
        elif c == 2:    # layer shift: one sharp accelerometer transient, then a ringing tail
            k = rng.integers(10, T - 20)
            accel[k:k + 12] += 1.5 * np.exp(-np.arange(12) / 3.0) * np.cos(np.arange(12) * 1.8)
        elif c == 3:    # partial clog: current climbs while the temperature loop works harder
            k = rng.integers(15, 45)
            ramp = np.clip((np.arange(T) - k) / 25.0, 0, 1)
            current += 0.25 * ramp * speed
            temp -= 0.5 * ramp
        elif c == 4:    # fan dropout: duty collapses, temperature drifts up
            k = rng.integers(10, 50)
            fan[k:] -= rng.uniform(0.1, 0.3)
            temp[k:] += np.linspace(0, 0.7, T - k)
        X[i] = np.stack([temp, current, accel, fan])
    return X, y.astype(np.int64)


class LayerCNN(L.LightningModule):
    def __init__(self, n_channels=4, n_classes=len(CLASSES), lr=2e-3, weight_decay=0.05):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Conv1d(n_channels, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(64, 64, 3, padding=1), nn.BatchNorm1d(64), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
            nn.Linear(64, n_classes),
        )

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
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)


def main():
    L.seed_everything(5, verbose=False)
    rng = np.random.default_rng(5)
    X, y = simulate_layers(1500, rng)
    X_tr, y_tr, X_va, y_va = X[:1200], y[:1200], X[1200:], y[1200:]
    mu = X_tr.mean(axis=(0, 2), keepdims=True)
    sd = X_tr.std(axis=(0, 2), keepdims=True)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=256)

    model = LayerCNN()
    trainer = L.Trainer(max_epochs=10, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    m = trainer.callback_metrics
    print(f"train loss {m['train_loss']:.4f}  val loss {m['val_loss']:.4f}  val acc {m['val_acc']:.4f}")


if __name__ == "__main__":
    main()
