"""Bearing condition from accelerometer snippets: 1-D CNN in PyTorch Lightning.

Classes: normal, inner-race, outer-race, rolling-element defect. Each defect adds
impulses at its own characteristic rate, modulated by shaft speed; snippets differ in
speed, load (amplitude) and sensor noise.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning.pytorch as pl

FS = 2048
LEN = 256
DEFECT_ORDERS = [None, 5.4, 3.6, 2.3]   # impulses per shaft revolution
RESONANCE = [None, 620.0, 380.0, 850.0]  # Hz, ringing seen through each transmission path


def simulate(n, rng):
    t = np.arange(LEN) / FS
    y = rng.integers(0, 4, n)
    shaft = rng.uniform(20, 40, (n, 1))
    load = rng.uniform(0.6, 1.4, (n, 1))
    X = load * 0.5 * np.sin(2 * np.pi * shaft * t + rng.uniform(0, 6.3, (n, 1)))
    X += 0.2 * np.sin(2 * np.pi * 2 * shaft * t + rng.uniform(0, 6.3, (n, 1)))
    kt = np.arange(64) / FS
    for i in range(n):
        if y[i] == 0:
            continue
        rate = DEFECT_ORDERS[y[i]] * shaft[i, 0]
        pulses = np.zeros(LEN)
        idx = (np.arange(rng.uniform(0, 1 / rate), t[-1], 1 / rate) * FS).astype(int)
        pulses[idx] = rng.uniform(0.7, 1.0, len(idx))
        ring = np.exp(-kt * 700) * np.sin(2 * np.pi * RESONANCE[y[i]] * kt)
        X[i] += load[i, 0] * np.convolve(pulses, ring)[:LEN]
    X += rng.normal(0, 0.3, X.shape)
    return X.astype(np.float32), y


class BearingNet(pl.LightningModule):
    def __init__(self, n_classes=4, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv1d(1, 12, 9, padding=4), nn.BatchNorm1d(12), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(12, 24, 7, padding=3), nn.BatchNorm1d(24), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(24, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
        )
        self.head = nn.Linear(32 * 2, n_classes)

    def forward(self, x):
        h = self.features(x.unsqueeze(1))
        h = torch.cat([h.mean(-1), h.amax(-1)], dim=1)
        return self.head(h)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    pl.seed_everything(11, workers=True)
    rng = np.random.default_rng(11)
    X, y = simulate(2500, rng)
    Xtr, ytr, Xva, yva = X[:2000], y[:2000], X[2000:], y[2000:]
    scale = Xtr.std()
    Xtr, Xva = Xtr / scale, Xva / scale
    train_dl = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.tensor(Xva), torch.tensor(yva)), batch_size=256)

    model = BearingNet()
    trainer = pl.Trainer(
        max_epochs=12,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, train_dl, val_dl)
    res = trainer.validate(model, val_dl, verbose=False)[0]
    print(f"final val_loss {res['val_loss']:.4f} val_acc {res['val_acc']:.4f}")


if __name__ == "__main__":
    main()
