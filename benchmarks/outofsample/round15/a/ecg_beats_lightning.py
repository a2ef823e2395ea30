"""Heartbeat morphology classifier (Lightning), 5 beat types on single-lead windows.

N normal, S supraventricular, V ventricular, F fusion, Q paced; 180-sample windows at 360 Hz.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

FS, WIN = 360, 180
# (P amplitude, P offset, QRS width, QRS amplitude, T amplitude, T offset, pre-R interval scale)
BEAT = {
    0: (0.15, -0.20, 0.025, 1.0, 0.30, 0.25, 1.00),
    1: (0.05, -0.14, 0.025, 0.9, 0.28, 0.24, 0.75),
    2: (0.00, -0.20, 0.070, 1.4, -0.40, 0.30, 0.80),
    3: (0.08, -0.18, 0.045, 1.1, 0.00, 0.28, 0.95),
    4: (0.00, -0.20, 0.055, 0.8, -0.20, 0.30, 1.00),
}


def gauss(t, mu, w):
    return np.exp(-0.5 * ((t - mu) / w) ** 2)


def make_beats(n, rng):
    t = (np.arange(WIN) - WIN // 2) / FS
    y = rng.choice(5, n, p=[0.35, 0.2, 0.2, 0.1, 0.15])
    X = np.empty((n, 1, WIN), dtype=np.float32)
    for i, c in enumerate(y):
        pa, po, qw, qa, ta, to, rr = BEAT[c]
        j = rng.normal(1.0, 0.08, 6)
        sig = pa * j[0] * gauss(t, po * j[1], 0.02)
        sig += qa * j[2] * gauss(t, 0.0, qw * j[3]) - 0.25 * gauss(t, 0.03, 0.012)
        sig += ta * j[4] * gauss(t, to * j[5], 0.05)
        if c == 4:
            sig += 0.9 * (np.abs(t + 0.045) < 0.004)
        sig += 0.15 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t + rng.uniform(0, 6.3))
        sig += 0.12 * rr * (t < -0.3) * rng.normal(1, 0.2)
        X[i, 0] = sig + rng.normal(0, 0.05, WIN)
    return X, y


class BeatNet(L.LightningModule):
    def __init__(self, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, stride=2, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
        )
        self.classifier = nn.Linear(32, 5)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y, label_smoothing=0.1)
        self.log("train_loss", loss, on_step=True, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def on_validation_epoch_end(self):
        m = self.trainer.callback_metrics
        if "train_loss_epoch" in m:
            print(f"epoch {self.current_epoch:2d} train_loss {m['train_loss_epoch']:.4f} "
                  f"val_loss {m['val_loss']:.4f} val_acc {m['val_acc']:.4f}")

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.3, patience=1)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": plateau, "monitor": "val_loss"}}


def main():
    L.seed_everything(5, verbose=False)
    rng = np.random.default_rng(5)
    X, y = make_beats(3000, rng)
    X = (X - X[:2400].mean()) / X[:2400].std()
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    train_loader = DataLoader(TensorDataset(X[:2400], y[:2400]), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(X[2400:], y[2400:]), batch_size=600)

    model = BeatNet()
    trainer = L.Trainer(
        max_epochs=12,
        limit_train_batches=0.1,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, train_loader, val_loader)
    metrics = trainer.validate(model, val_loader, verbose=False)[0]
    print(f"final val_loss {metrics['val_loss']:.4f} val_acc {metrics['val_acc']:.4f}")


if __name__ == "__main__":
    main()
