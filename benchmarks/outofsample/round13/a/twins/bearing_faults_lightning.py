"""Bearing fault classification from vibration band energies (Lightning).

Six fault classes (healthy, inner race, outer race, ball, cage, misalignment),
each sample is a vector of log band energies, log envelope-spectrum band energies
and a few time-domain statistics computed from a simulated accelerometer trace.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

SEED = 7
N_BANDS = 24
N_ENV = 16
N_CLASSES = 6


def simulate(n, rng):
    fs = 2048.0
    t = np.arange(512) / fs
    # characteristic defect frequencies (Hz) per class, 0 = none
    fault_freq = [0.0, 162.0, 107.0, 141.0, 14.0, 50.0]
    X, y = [], []
    for _ in range(n):
        c = rng.integers(N_CLASSES)
        rpm = rng.uniform(1500, 1800)
        shaft = rpm / 60.0
        sig = 0.6 * np.sin(2 * math.pi * shaft * t + rng.uniform(0, 6.3))
        if c == 5:  # misalignment: strong 2x harmonic
            sig += rng.uniform(0.5, 0.9) * np.sin(4 * math.pi * shaft * t)
        elif c > 0:
            f = fault_freq[c] * rpm / 1650.0
            impacts = (np.sin(2 * math.pi * f * t) > 0.97).astype(float)
            ring = np.sin(2 * math.pi * rng.uniform(600, 900) * t)
            sig += rng.uniform(1.0, 2.0) * impacts * ring
        sig += rng.normal(0, 0.3, size=t.shape)
        spec = np.abs(np.fft.rfft(sig * np.hanning(len(sig)))) ** 2
        bands = np.array_split(spec[1:], N_BANDS)
        feats = np.log1p(np.array([b.sum() for b in bands]))
        env = np.abs(sig) - np.abs(sig).mean()
        env_spec = np.abs(np.fft.rfft(env * np.hanning(len(env)))) ** 2
        env_bands = np.log1p(np.array([b.sum() for b in np.array_split(env_spec[1:65], N_ENV)]))
        rms = np.sqrt(np.mean(sig ** 2))
        kurt = np.mean((sig - sig.mean()) ** 4) / (sig.var() ** 2)
        crest = np.abs(sig).max() / rms
        X.append(np.concatenate([feats, env_bands, [rms, kurt, crest, rpm / 1000.0]]))
        y.append(c)
    return np.array(X, dtype=np.float32), np.array(y, dtype=np.int64)


class BearingNet(L.LightningModule):
    def __init__(self, n_in, lr=3e-3, epochs=12):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(),
            nn.Linear(64, N_CLASSES),
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        out = self(x)
        loss = F.cross_entropy(out, y)
        acc = (out.argmax(-1) == y).float().mean()
        self.log("val_loss", loss)
        self.log("val_acc", acc)

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9, nesterov=True,
                              weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


def main():
    L.seed_everything(SEED, verbose=False)
    rng = np.random.default_rng(SEED)
    X, y = simulate(3000, rng)
    Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    train = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=256)

    epochs = 12
    model = BearingNet(Xtr.shape[1], epochs=epochs)
    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train, val)
    res = trainer.validate(model, val, verbose=False)[0]
    print(f"final val_acc {res['val_acc']:.4f} val_loss {res['val_loss']:.4f}")


if __name__ == "__main__":
    main()
