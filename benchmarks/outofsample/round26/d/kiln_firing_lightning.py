"""Ceramic kiln firing: classify the glaze outcome of a firing from its three-zone thermocouple log.

Each firing is logged every 15 minutes for 24 h in three zones (top / middle / bottom). Outcomes:
0 sound, 1 crazing (cooled too fast through quartz inversion), 2 bloating (over-fired), 3 pinholing
(soak too short). A small 1-D CNN in PyTorch Lightning.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

HP = dict(lr=0.02, momentum=0.9, weight_decay=5e-4, clip=5.0, epochs=10, batch_size=64, channels=32)
L.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)
T = 96
t = np.arange(T) * 0.25  # hours


def firing(kind):
    ramp = rng.uniform(90, 140)           # deg C / h
    peak = rng.uniform(1215, 1245)
    soak = rng.uniform(1.0, 2.0)          # h at peak
    cool = rng.uniform(60, 110)           # deg C / h, average
    if kind == 1:
        cool = rng.uniform(180, 260)
    elif kind == 2:
        peak = rng.uniform(1270, 1300)
    elif kind == 3:
        soak = rng.uniform(0.0, 0.35)
    t_peak = (peak - 25) / ramp
    temp = np.where(t < t_peak, 25 + ramp * t, peak)
    t_cool = t_peak + soak
    temp = np.where(t > t_cool, np.maximum(peak - cool * (t - t_cool) * np.exp(-(t - t_cool) / 30), 30), temp)
    zones = []
    for offset in (rng.normal(8, 4), 0.0, rng.normal(-12, 5)):
        lag = rng.integers(0, 3)
        z = np.roll(temp, lag) + offset + rng.normal(0, 6, size=T)
        z[:lag] = 25
        zones.append(z)
    return np.stack(zones)


kinds = rng.choice(4, size=2400, p=[0.4, 0.2, 0.2, 0.2])
X = np.stack([firing(k) for k in kinds]).astype(np.float32)
X = (X - 650.0) / 450.0
y = kinds.astype(np.int64)

X_tr, y_tr, X_va, y_va = X[:1900], y[:1900], X[1900:], y[1900:]
train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=HP["batch_size"], shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=500)


class KilnNet(L.LightningModule):
    def __init__(self, channels, n_classes=4):
        super().__init__()
        c = channels
        self.features = nn.Sequential(
            nn.Conv1d(3, c, 5, padding=2), nn.BatchNorm1d(c), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(c, 2 * c, 5, padding=2), nn.BatchNorm1d(2 * c), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(2 * c, 2 * c, 3, padding=1), nn.BatchNorm1d(2 * c), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten())
        self.classifier = nn.Linear(2 * c, n_classes)
        self.val_acc = []

    def forward(self, x):
        return self.classifier(self.features(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        acc = (logits.argmax(1) == y).float().mean()
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", acc)

    def on_validation_epoch_end(self):
        self.val_acc.append(float(self.trainer.callback_metrics["val_acc"]))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=HP["lr"], momentum=HP["momentum"],
                               weight_decay=HP["weight_decay"], nesterov=True)


model = KilnNet(HP["channels"])
trainer = L.Trainer(max_epochs=HP["epochs"], gradient_clip_val=HP["lr"], accelerator="cpu", devices=1,
                    logger=False, enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False, deterministic=True)
trainer.fit(model, train_loader, val_loader)
res = trainer.validate(model, val_loader, verbose=False)[0]
print(f"val acc by epoch: {' '.join(f'{a:.3f}' for a in model.val_acc[1:])}")
print(f"final val accuracy {res['val_acc']:.4f} val loss {res['val_loss']:.4f}")
