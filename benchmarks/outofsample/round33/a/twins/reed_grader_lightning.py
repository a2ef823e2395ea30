"""Bagpipe drone-reed grading from bench-test spectra (Lightning).

Each reed is blown on a test rig; the rig logs a 128-bin log-magnitude spectrum of
the drone. Reed makers sort reeds into eight voicing grades by ear.
A small 1-D CNN learns the grade from the spectrum.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)

N_BINS = 96
GRADES = ["steady", "bright", "mellow", "buzzy", "squealing", "hard", "weak", "gurgling"]
#                 slope  even  formant  width  floor   squeal
PROFILES = {0: (1.10, 1.00, 30, 10, 0.004, 0.0),
            1: (0.75, 0.95, 45, 12, 0.005, 0.0),
            2: (1.35, 1.05, 20, 8, 0.004, 0.0),
            3: (1.00, 0.65, 30, 10, 0.014, 0.0),
            4: (1.05, 1.00, 30, 10, 0.005, 0.05),
            5: (0.85, 0.80, 55, 8, 0.006, 0.0),
            6: (1.25, 0.90, 30, 14, 0.009, 0.0),
            7: (1.05, 1.00, 38, 6, 0.008, 0.02)}


def drone_spectrum(grade):
    slope, even, fc, fw, floor, squeal = PROFILES[grade]
    f0 = rng.uniform(4.0, 7.0)                           # fundamental, in bins
    k = np.arange(1, 30)
    amp = k ** (-(slope + rng.normal(0, 0.1))) * np.where(k % 2 == 0, even * rng.uniform(0.85, 1.15), 1.0)
    bins = np.arange(N_BINS)
    amp = amp * (1 + 0.8 * np.exp(-0.5 * ((k * f0 - fc - rng.normal(0, 4)) / fw) ** 2))
    centre = np.outer(k * f0, np.ones(N_BINS))
    spec = (amp[:, None] * np.exp(-0.5 * ((bins[None, :] - centre) / 0.9) ** 2)).sum(0)
    spec += floor * rng.uniform(0.6, 1.5) * (1 + rng.random(N_BINS))
    if squeal > 0 or rng.random() < 0.05:               # an inharmonic peak
        pos = rng.uniform(40, 90)
        spec += max(squeal, 0.02) * rng.uniform(0.5, 1.5) * np.exp(-0.5 * ((bins - pos) / 1.2) ** 2)
    logspec = 20 * np.log10(spec + 1e-4)
    return logspec + rng.normal(0, 1.5, N_BINS)


y = rng.integers(0, len(GRADES), 2000)
X = np.stack([drone_spectrum(g) for g in y]).astype(np.float32)
idx = rng.permutation(len(X))
tr, va = idx[:1600], idx[1600:]
X = (X - X[tr].mean()) / X[tr].std()                   # one dB scale for every bin

train_loader = DataLoader(TensorDataset(torch.tensor(X[tr]).unsqueeze(1), torch.tensor(y[tr])),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.tensor(X[va]).unsqueeze(1), torch.tensor(y[va])),
                        batch_size=200)


class ReedGrader(L.LightningModule):
    def __init__(self, lr=0.05):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.AdaptiveAvgPool1d(4),
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, len(GRADES)),
        )

    def forward(self, x):
        return self.head(self.features(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        out = self(x)
        self.log("val_loss", F.cross_entropy(out, y), prog_bar=True)
        self.log("val_acc", (out.argmax(-1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9, nesterov=True)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


model = ReedGrader()
trainer = L.Trainer(max_epochs=10, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False)
trainer.fit(model, train_loader, val_loader)

model.eval()
with torch.no_grad():
    pred = torch.cat([model(xb).argmax(-1) for xb, _ in val_loader]).numpy()
truth = y[va]
recalls = [np.mean(pred[truth == c] == c) for c in range(len(GRADES))]
print("per-grade recall", " ".join(f"{g}={r:.2f}" for g, r in zip(GRADES, recalls)))
print(f"final val_acc {np.mean(pred == truth):.4f} balanced_acc {np.mean(recalls):.4f} "
      f"train_loss {trainer.callback_metrics['train_loss']:.4f}")
