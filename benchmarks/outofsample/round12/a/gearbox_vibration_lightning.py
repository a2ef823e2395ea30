"""Gearbox condition monitoring: classify 1-second accelerometer windows into
four machine states with a small 1D CNN, trained with PyTorch Lightning."""
import argparse
import math

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

STATES = ["normal", "unbalance", "misalignment", "bearing_outer_race"]


def synth_windows(n, length=256, fs=256.0, seed=0):
    """Shaft at ~12-18 Hz; each fault adds its own signature on top of gear mesh noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) / fs
    X = np.empty((n, length), dtype=np.float32)
    y = rng.integers(0, 4, size=n)
    for i in range(n):
        f0 = rng.uniform(12, 18)
        ph = rng.uniform(0, 2 * np.pi, size=4)
        sig = 0.5 * np.sin(2 * np.pi * f0 * t + ph[0])
        sig += 0.2 * np.sin(2 * np.pi * 7 * f0 * t + ph[1])  # gear mesh
        if y[i] == 1:
            sig += rng.uniform(0.5, 0.9) * np.sin(2 * np.pi * f0 * t + ph[2])
        elif y[i] == 2:
            sig += rng.uniform(0.35, 0.6) * np.sin(2 * np.pi * 2 * f0 * t + ph[2])
        elif y[i] == 3:
            period = int(fs / (3.6 * f0))
            start = rng.integers(0, period)
            for k in range(start, length, period):
                decay = np.exp(-np.arange(min(12, length - k)) / 3.0)
                sig[k:k + len(decay)] += rng.uniform(0.8, 1.3) * decay * np.sin(np.arange(len(decay)) * 2.2)
        sig += rng.normal(0, 0.35, size=length)
        X[i] = sig
    return X, y


class VibrationCNN(L.LightningModule):
    def __init__(self, lr=1e-3, n_classes=4):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, kernel_size=9, padding=4), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, kernel_size=7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, kernel_size=5, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),
        )
        self.head = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.head(self.features(x.unsqueeze(1)).squeeze(-1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), on_epoch=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), on_epoch=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
        return {"optimizer": opt, "lr_scheduler": sched}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    L.seed_everything(args.seed, verbose=False)
    X, y = synth_windows(2400, seed=args.seed)
    scale = X[:1800].std()
    X = X / scale
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y).long()
    train = TensorDataset(Xt[:1800], yt[:1800])
    val = TensorDataset(Xt[1800:], yt[1800:])
    train_loader = DataLoader(train, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val, batch_size=256)

    model = VibrationCNN(lr=args.lr)
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)
    m = trainer.callback_metrics
    print(f"final val_loss={float(m['val_loss']):.4f} val_acc={float(m['val_acc']):.4f}")


if __name__ == "__main__":
    main()
