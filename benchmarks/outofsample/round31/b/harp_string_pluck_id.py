"""Identify which harp string was plucked from a short constant-Q spectrum.

Used by a harp regulator's tuning assistant: a contact mic on the soundboard records a
pluck, the app computes a 208-bin log-frequency spectrum (2 bins per semitone) and the
network names the string (all 47 strings of a concert harp, C1..G7) so the
tuner can show the right target pitch. Detuned strings, pluck position, sympathetic
ringing of neighbours and room noise are simulated.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning.pytorch as pl
from torch.utils.data import DataLoader, TensorDataset

BINS_PER_SEMITONE = 2
N_BINS = 2 * (79 + 25)                             # C1 to G7 plus room for harmonics
DIATONIC = [0, 2, 4, 5, 7, 9, 11]
STRINGS = [12 * o + s for o in range(7) for s in DIATONIC][:47]      # semitones above C1


def pluck_spectra(n, rng):
    labels = rng.integers(0, len(STRINGS), n)
    spec = np.zeros((n, N_BINS))
    centres = np.arange(N_BINS) / BINS_PER_SEMITONE
    for i, k in enumerate(labels):
        detune = rng.normal(0, 0.3)                        # semitones, strings drift
        pluck_pos = rng.uniform(0.15, 0.5)                  # fraction of string length
        inharm = rng.uniform(0, 4e-4)
        for h in range(1, 9):
            semis = STRINGS[k] + detune + 12 * np.log2(h * np.sqrt(1 + inharm * h * h))
            amp = abs(np.sin(np.pi * h * pluck_pos)) / h ** rng.uniform(0.8, 1.6)
            spec[i] += amp * np.exp(-0.5 * ((centres - semis) / 0.5) ** 2)
        for nb in (k - 1, k + 1):                           # neighbours ring in sympathy
            if 0 <= nb < len(STRINGS):
                spec[i] += rng.uniform(0, 0.35) * np.exp(-0.5 * ((centres - STRINGS[nb]) / 0.5) ** 2)
        spec[i] += rng.gamma(1.0, 0.03, N_BINS)               # room noise
        spec[i] *= rng.lognormal(0, 0.6)                      # pluck strength
    logspec = np.log(spec + 1e-3)
    return logspec.astype(np.float32), labels.astype(np.int64)


class PluckDataModule(pl.LightningDataModule):
    def __init__(self, batch_size=64):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage=None):
        rng = np.random.default_rng(3)
        X, y = pluck_spectra(3000, rng)
        X = X - X.mean(1, keepdims=True)                      # remove loudness per pluck
        mu, sd = X[:2400].mean(0), X[:2400].std(0)
        X = (X - mu) / sd
        self.train_ds = TensorDataset(torch.from_numpy(X[:2400]), torch.from_numpy(y[:2400]))
        self.val_ds = TensorDataset(torch.from_numpy(X[2400:]), torch.from_numpy(y[2400:]))

    def train_dataloader(self):
        return DataLoader(self.train_ds, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_ds, batch_size=300)


class StringClassifier(pl.LightningModule):
    def __init__(self, n_bins=N_BINS, n_strings=len(STRINGS), hidden=128, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_bins, hidden), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, n_strings),
            nn.Softmax(dim=-1),
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        out = self(x)
        self.log("val_loss", F.cross_entropy(out, y))
        self.log("val_acc", (out.argmax(-1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


if __name__ == "__main__":
    pl.seed_everything(3, workers=True)
    dm = PluckDataModule()
    model = StringClassifier()
    trainer = pl.Trainer(max_epochs=5, accelerator="cpu", devices=1, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, deterministic=True)
    trainer.fit(model, dm)
    metrics = trainer.validate(model, dm, verbose=False)[0]
    print(f"final val_loss {metrics['val_loss']:.4f} val_acc {metrics['val_acc']:.4f}")
