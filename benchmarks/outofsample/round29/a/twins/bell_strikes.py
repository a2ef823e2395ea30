"""Which bell of a ring of twelve was struck?

Tower recordings from the ringing chamber microphone are cut around each strike
and turned into a 160-bin log power spectrum.  Bells share the classic partial
structure (hum, prime, tierce, quint, nominal), tuning drifts a little with tower
temperature, and neighbouring bells ring on under the strike.  A small 1-D CNN in
Lightning picks the bell.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

N_BELLS = 12
SR = 4000
N = 1024
PARTIALS = np.array([0.5, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0])
# diatonic major ring, treble highest
STEPS = np.array([0, 2, 4, 5, 7, 9, 11, 12, 14, 16, 17, 19])[::-1]
NOMINALS = 220.0 * 2 ** (STEPS / 12.0) * 1.6


def strike(bell, rng):
    t = np.arange(N) / SR
    drift = 1 + rng.normal(0, 0.004)
    sig = np.zeros(N)
    amps = np.array([0.6, 0.8, 0.5, 0.3, 1.0, 0.25, 0.2]) * rng.uniform(0.6, 1.4, len(PARTIALS))
    for ratio, a in zip(PARTIALS, amps):
        f = NOMINALS[bell] / 2.0 * ratio * drift
        if f < SR / 2:
            sig += a * np.exp(-t * rng.uniform(2, 8)) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    # the previous bell in the change is still sounding
    other = rng.integers(N_BELLS)
    f2 = NOMINALS[other] * drift
    sig += rng.uniform(0.2, 0.6) * np.sin(2 * np.pi * f2 * t + rng.uniform(0, 6.28)) * np.exp(-t * 3)
    sig += rng.normal(0, 0.5, N)
    spec = np.abs(np.fft.rfft(sig * np.hanning(N))) ** 2
    spec = spec[16:16 + 320].reshape(160, 2).sum(1)
    return np.log(spec + 1e-3).astype(np.float32)


def make(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, N_BELLS, n)
    x = np.stack([strike(b, rng) for b in y])
    return x, y


class BellNet(L.LightningModule):
    def __init__(self, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(8),
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 8, 64), nn.ReLU(), nn.Linear(64, N_BELLS),
        )

    def forward(self, x):
        return self.head(self.features(x.unsqueeze(1)))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        out = self(x)
        self.log("val_loss", F.cross_entropy(out, y), prog_bar=True)
        self.log("val_acc", (out.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(7, verbose=False)
    xtr, ytr = make(2000, 1)
    xva, yva = make(600, 2)
    mu, sd = xtr.mean(), xtr.std()
    xtr, xva = (xtr - mu) / sd, (xva - mu) / sd
    train_dl = DataLoader(TensorDataset(torch.from_numpy(xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(xva), torch.from_numpy(yva)), batch_size=300)
    model = BellNet()
    trainer = L.Trainer(max_epochs=6, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    res = trainer.validate(model, val_dl, verbose=False)[0]
    print(f"val_acc {res['val_acc']:.4f} val_loss {res['val_loss']:.4f}")


if __name__ == "__main__":
    main()
