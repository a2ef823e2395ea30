"""Timber identification for a xylarium (wood collection) intake desk.

A macro photo of each sanded end-grain block is reduced upstream to 24 texture
descriptors (pore-size histogram moments, ray spacing, Gabor energies) plus density,
hardness, ring width and moisture. Sixty commercial timber species are in scope; the
model assigns each block to a species before a wood anatomist confirms it.
"""
import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_SPECIES = 60


def intake_blocks(n, rng):
    centres = rng.normal(0, 1.0, size=(N_SPECIES, 12))
    mixing = rng.normal(0, 1, size=(12, 24)) / np.sqrt(12)
    decay = 1.0 / (1 + np.arange(24)) ** 0.6
    species = rng.integers(0, N_SPECIES, n)
    latent = centres[species] + rng.normal(0, 0.9, size=(n, 12))
    texture = (latent @ mixing) * decay + rng.normal(0, 0.15, size=(n, 24)) * decay
    density = rng.normal(0.45 + 0.01 * species, 0.08)                  # g/cm3
    physical = np.column_stack([density, density * 9.0 + rng.normal(0, 0.6, n),
                                rng.gamma(3.0, 1.2, n), rng.normal(12, 1.5, n)])
    X = np.hstack([texture, physical]).astype(np.float32)
    return X, species.astype(np.int64)


class SpeciesClassifier(L.LightningModule):
    def __init__(self, d_in, n_classes=N_SPECIES, hidden=128, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(d_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x):
        return self.net(x)

    def _loss(self, logits, y):
        return F.cross_entropy(logits, y)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self._loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self._loss(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(-1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


def main():
    L.seed_everything(11, verbose=False)
    rng = np.random.default_rng(11)
    X, y = intake_blocks(4200, rng)
    tr, va = np.arange(0, 3200), np.arange(3200, 4200)
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd
    train = DataLoader(TensorDataset(torch.tensor(X[tr]), torch.tensor(y[tr])), batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(torch.tensor(X[va]), torch.tensor(y[va])), batch_size=500)

    model = SpeciesClassifier(X.shape[1])
    trainer = L.Trainer(max_epochs=15, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train, val)
    m = trainer.callback_metrics
    print(f"final val accuracy {m['val_acc'].item():.4f}  val loss {m['val_loss'].item():.4f}")


if __name__ == "__main__":
    main()
