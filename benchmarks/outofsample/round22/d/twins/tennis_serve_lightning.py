"""Classify tennis serves (flat / slice / kick) from tracked ball trajectories.

Hawk-Eye-style tracking gives 24 frames per serve from toss to bounce: ball x, y, z,
speed, and the racket-head speed and height at contact broadcast to every frame.
A small Transformer encoder over frames, trained with Lightning.
"""
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning.pytorch as pl

pl.seed_everything(5, workers=True)
T, F_IN = 24, 6
CLASSES = ["flat", "slice", "kick"]


def serves(n, rng):
    y = rng.integers(0, 3, n)
    t = np.linspace(0, 1, T)[None, :]
    height = rng.normal(1.9, 0.08, (n, 1))                 # player reach
    toss = height + rng.normal(0.9, 0.15, (n, 1))
    speed = np.where(y == 0, 185, np.where(y == 1, 172, 165))[:, None] + rng.normal(0, 14, (n, 1))
    side = np.where(y == 1, 1.0, np.where(y == 2, -0.35, 0.0))[:, None] * rng.uniform(0.0, 1.2, (n, 1))
    topspin = np.where(y == 2, 1.0, np.where(y == 1, 0.2, 0.0))[:, None] * rng.uniform(0.0, 1.2, (n, 1))
    x = 18.0 * t + rng.normal(0, 0.3, (n, 1))
    lat = side * 1.2 * t ** 2 + rng.normal(0, 0.15, (n, 1)) * t
    z = toss * (1 - t) + 0.2 * t - topspin * 0.9 * np.sin(np.pi * t) + 0.35 * np.sin(np.pi * t)
    v = speed * (1 - 0.25 * t) - topspin * 15 * t
    racket = np.repeat(speed * 0.75 + rng.normal(0, 10, (n, 1)), T, axis=1)
    contact = np.repeat(toss - 0.2 + rng.normal(0, 0.05, (n, 1)), T, axis=1)
    X = np.stack([x, lat, z, v, racket, contact], axis=-1)
    X += rng.normal(0, 1, X.shape) * np.array([0.3, 0.25, 0.12, 6.0, 3.0, 0.03])
    return X.astype(np.float32), y


class ServeEncoder(pl.LightningModule):
    def __init__(self, d=32, heads=4, layers=2, lr=2e-3, epochs=10):
        super().__init__()
        self.save_hyperparameters()
        self.inp = nn.Linear(F_IN, d)
        self.pos = nn.Parameter(torch.randn(T, 1, d) * 0.02)
        enc = nn.TransformerEncoderLayer(d, heads, dim_feedforward=2 * d, dropout=0.1)
        self.encoder = nn.TransformerEncoder(enc, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d, len(CLASSES))
        self.loss = nn.CrossEntropyLoss()

    def forward(self, x):                      # x: (batch, frames, features)
        h = self.inp(x)
        h = h.transpose(0, 1)                  # encoder wants (frames, batch, d)
        h = self.encoder(h + self.pos)
        return self.head(h.mean(0))

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss(logits, y))
        self.log("val_acc", (logits.argmax(-1) == y).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-2)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


def main():
    rng = np.random.default_rng(5)
    X, y = serves(2000, rng)
    Xtr, ytr, Xva, yva = X[:1600], y[:1600], X[1600:], y[1600:]
    mu, sd = Xtr.reshape(-1, F_IN).mean(0), Xtr.reshape(-1, F_IN).std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    train = TensorDataset(torch.tensor(Xtr), torch.tensor(ytr))
    val = TensorDataset(torch.tensor(Xva), torch.tensor(yva))
    train_dl = DataLoader(train, batch_size=64, shuffle=True)
    val_dl = DataLoader(val, batch_size=200)

    model = ServeEncoder()
    trainer = pl.Trainer(max_epochs=model.hparams.epochs, accelerator="cpu", logger=False,
                         enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in val_dl:
            correct += (model(xb).argmax(-1) == yb).sum().item()
    print(f"final val_acc {correct / len(val):.4f} "
          f"train_loss {trainer.callback_metrics['train_loss']:.4f}")


if __name__ == "__main__":
    main()
