"""Ropeway inspection: classify wire-rope segments from magnetic rope-testing (MRT) traces.

Each sample is a 256-point leakage-flux trace over one metre of haul rope; classes are
0 sound, 1 broken outer wire, 2 internal corrosion (loss of metallic area), 3 strand kink.
Small 1-D CNN trained with PyTorch Lightning.
"""
import math
import os
import warnings

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

warnings.filterwarnings("ignore")
os.environ.setdefault("PYTHONWARNINGS", "ignore")
L.seed_everything(3, verbose=False)

N, T = 2400, 256


def traces(n, rng):
    x = np.linspace(0, 1, T)
    lay = 0.15 * np.sin(2 * np.pi * x * rng.uniform(11, 13, (n, 1)) + rng.uniform(0, 6.3, (n, 1)))
    base = lay + rng.normal(0, 0.12, (n, T)) + 0.05 * np.cumsum(rng.normal(0, 0.05, (n, T)), axis=1)
    y = rng.integers(0, 4, n)
    pos = rng.uniform(0.15, 0.85, n)
    for i in range(n):
        d = x - pos[i]
        if y[i] == 1:    # sharp dipole from a broken wire end
            w = rng.uniform(0.004, 0.008)
            base[i] += rng.uniform(0.4, 0.8) * (-d / w) * np.exp(-(d / w) ** 2 / 2)
        elif y[i] == 2:  # broad dip in metallic cross-section
            w = rng.uniform(0.06, 0.12)
            base[i] -= rng.uniform(0.25, 0.45) * np.exp(-(d / w) ** 2 / 2)
        elif y[i] == 3:  # kink: short burst of lay-frequency distortion
            w = rng.uniform(0.02, 0.04)
            base[i] += 0.35 * np.sin(2 * np.pi * d * 60) * np.exp(-(d / w) ** 2 / 2)
    return base[:, None, :].astype(np.float32), y.astype(np.int64)


rng = np.random.default_rng(3)
X, y = traces(N, rng)
mu, sd = X[:1900].mean(), X[:1900].std()
X = (X - mu) / sd
train_ds = TensorDataset(torch.from_numpy(X[:1900]), torch.from_numpy(y[:1900]))
val_ds = TensorDataset(torch.from_numpy(X[1900:]), torch.from_numpy(y[1900:]))


def lecun_uniform(m):
    if isinstance(m, (nn.Conv1d, nn.Linear)):
        fan_in = m.weight[0].numel()
        bound = 1 // math.sqrt(fan_in)
        nn.init.uniform_(m.weight, -bound, bound)
        nn.init.zeros_(m.bias)


class RopeNet(L.LightningModule):
    def __init__(self, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Conv1d(1, 16, 9, padding=4), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.ReLU(), nn.AdaptiveMaxPool1d(1),
            nn.Flatten(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4),
        )
        self.net.apply(lecun_uniform)
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, _):
        xb, yb = batch
        loss = self.loss_fn(self(xb), yb)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, _):
        xb, yb = batch
        logits = self(xb)
        self.log("val_loss", self.loss_fn(logits, yb))
        self.log("val_acc", (logits.argmax(1) == yb).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
        return [opt], [sched]


model = RopeNet()
trainer = L.Trainer(max_epochs=8, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, DataLoader(train_ds, batch_size=64, shuffle=True), DataLoader(val_ds, batch_size=256))
m = trainer.callback_metrics
print(f"final val_loss {m['val_loss']:.4f}  val_acc {m['val_acc']:.4f}")
