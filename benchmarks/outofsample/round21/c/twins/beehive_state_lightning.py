"""Beehive colony state from hive-microphone spectra (Lightning).

Each clip is summarised as 48 log-mel band energies (50 Hz - 4 kHz). Recordings are stored per
colony state; within each state the clips are in recording order, so the last fifth of every
state's recordings is held out for validation (later days, no clip overlap with training).
States: 0 queenright, 1 queenless, 2 pre-swarm, 3 robbing.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning.pytorch as pl

torch.set_num_threads(1)
pl.seed_everything(11, workers=True)

N_BANDS = 48
STATES = ["queenright", "queenless", "pre-swarm", "robbing"]


def synth_state_recordings(state, n_clips, rng):
    """Spectra with a colony hum around 250 Hz whose shape depends on the state."""
    bands = np.linspace(0, 1, N_BANDS)
    hum_centre = [0.22, 0.26, 0.30, 0.24][state]
    hum_width = [0.06, 0.09, 0.05, 0.11][state]
    piping = [0.0, 0.15, 0.55, 0.05][state]          # queen piping, 400-500 Hz
    buzz = [0.1, 0.35, 0.2, 0.6][state]              # high-band agitation
    hum = np.exp(-0.5 * ((bands - hum_centre) / hum_width) ** 2)
    pipe = piping * np.exp(-0.5 * ((bands - 0.45) / 0.025) ** 2)
    agit = buzz * bands ** 2
    level = rng.normal(0, 0.35, size=(n_clips, 1))   # microphone gain / colony size
    spec = 1.2 * hum + pipe + agit + level + rng.normal(0, 0.22, size=(n_clips, N_BANDS))
    return spec.astype(np.float32)


def load_recordings(rng):
    train_x, train_y, val_x, val_y = [], [], [], []
    for state in range(len(STATES)):
        n = int(rng.integers(420, 520))
        x = synth_state_recordings(state, n, rng)
        cut = int(0.8 * n)
        train_x.append(x[:cut]); train_y.append(np.full(cut, state))
        val_x.append(x[cut:]); val_y.append(np.full(n - cut, state))
    return (np.concatenate(train_x), np.concatenate(train_y),
            np.concatenate(val_x), np.concatenate(val_y))


class HiveData(pl.LightningDataModule):
    def __init__(self, batch_size=64):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage=None):
        rng = np.random.default_rng(11)
        xtr, ytr, xva, yva = load_recordings(rng)
        mu, sd = xtr.mean(0), xtr.std(0)
        self.train_ds = TensorDataset(torch.from_numpy((xtr - mu) / sd), torch.from_numpy(ytr).long())
        self.val_ds = TensorDataset(torch.from_numpy((xva - mu) / sd), torch.from_numpy(yva).long())

    def train_dataloader(self):
        return DataLoader(self.train_ds, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_ds, batch_size=256)


class SpectrumNet(pl.LightningModule):
    def __init__(self, n_classes=4, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, kernel_size=5, padding=2), nn.ReLU(),
            nn.MaxPool1d(2),
            nn.Conv1d(16, 32, kernel_size=5, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(6),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * 6, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, x):
        return self.head(self.features(x.unsqueeze(1)))

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
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    dm = HiveData()
    model = SpectrumNet()
    trainer = pl.Trainer(max_epochs=12, accelerator="cpu", devices=1, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, deterministic=True)
    trainer.fit(model, datamodule=dm)
    m = trainer.validate(model, datamodule=dm, verbose=False)[0]
    print(f"final val_loss={m['val_loss']:.4f} val_acc={m['val_acc']:.4f}")


if __name__ == "__main__":
    main()
