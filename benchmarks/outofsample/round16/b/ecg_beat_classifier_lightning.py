"""Heartbeat morphology classification from single-lead ECG segments (Lightning).

Beats are 1 s windows (128 samples) centred on the R peak, five AAMI-style classes
(normal, supraventricular, ventricular, fusion, paced). Synthetic beats are built from
Gaussian P/QRS/T waves with per-beat jitter, baseline wander and EMG-like noise.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(5, verbose=False)
rng = np.random.default_rng(5)
T = np.linspace(-0.5, 0.5, 128)

# (amplitude, centre, width) of P, Q, R, S, T for each class
PROTO = {
    0: [(0.12, -0.20, 0.025), (-0.10, -0.03, 0.010), (1.00, 0.00, 0.012), (-0.25, 0.03, 0.012), (0.30, 0.25, 0.050)],
    1: [(0.20, -0.12, 0.020), (-0.10, -0.03, 0.010), (0.95, 0.00, 0.012), (-0.25, 0.03, 0.012), (0.28, 0.22, 0.050)],
    2: [(0.00, -0.20, 0.025), (-0.05, -0.04, 0.015), (1.20, 0.00, 0.035), (-0.60, 0.06, 0.030), (-0.35, 0.26, 0.060)],
    3: [(0.08, -0.20, 0.025), (-0.08, -0.03, 0.012), (1.10, 0.00, 0.022), (-0.45, 0.045, 0.020), (0.05, 0.25, 0.055)],
    4: [(0.00, -0.20, 0.025), (0.60, -0.06, 0.004), (0.90, 0.00, 0.030), (-0.40, 0.05, 0.025), (0.20, 0.27, 0.060)],
}


def make_beat(c):
    x = np.zeros_like(T)
    for a, mu, s in PROTO[c]:
        x += a * (1 + 0.25 * rng.standard_normal()) * np.exp(
            -((T - mu - 0.012 * rng.standard_normal()) ** 2) / (2 * (s * (1 + 0.2 * rng.standard_normal())) ** 2))
    x += 0.15 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * T + rng.uniform(0, 2 * np.pi))
    x += 0.06 * rng.standard_normal(T.size)
    return x


N = 4000
y = rng.choice(5, size=N, p=[0.3, 0.2, 0.2, 0.15, 0.15])
X = np.stack([make_beat(c) for c in y]).astype(np.float32)
X = (X - X.mean(1, keepdims=True)) / X.std(1, keepdims=True)
perm = rng.permutation(N)
tr, va = perm[:3200], perm[3200:]
train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr, None]), torch.from_numpy(y[tr])),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va, None]), torch.from_numpy(y[va])),
                        batch_size=400)


class BeatNet(L.LightningModule):
    def __init__(self, n_classes=5, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 3, padding=1), nn.BatchNorm1d(64), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten())
        self.classifier = nn.Linear(64, n_classes)

    def forward(self, x):
        return self.classifier(self.features(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_epoch=True, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def on_validation_epoch_end(self):
        m = self.trainer.callback_metrics
        if "train_loss_epoch" in m:
            print(f"epoch {self.current_epoch + 1:2d} train_loss {m['train_loss_epoch']:.4f} "
                  f"val_loss {m['val_loss']:.4f} val_acc {m['val_acc']:.4f}")

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


model = BeatNet()
trainer = L.Trainer(
    max_epochs=12,
    limit_train_batches=0.1,
    accelerator="cpu",
    logger=False,
    enable_checkpointing=False,
    enable_progress_bar=False,
    enable_model_summary=False,
)
trainer.fit(model, train_loader, val_loader)
res = trainer.validate(model, val_loader, verbose=False)[0]
print(f"final val_loss {res['val_loss']:.4f} val_acc {res['val_acc']:.4f}")
