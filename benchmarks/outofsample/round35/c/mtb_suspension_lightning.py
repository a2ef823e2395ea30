"""Mountain-bike suspension telemetry: label 2-second windows of fork and shock travel.

Sensors log fork travel, shock travel and frame vertical acceleration at 50 Hz. Riders'
runs are cut into 100-sample windows and labelled by the trail segment they were on:
smooth singletrack, root section, rock garden, jump landing, braking bumps. Smooth trail
dominates, so the loss is class-weighted; label smoothing because segment boundaries are
fuzzy. Trained with Lightning: warm-up then cosine decay per step, gradient-norm clipping
and early stopping on the validation loss.
"""
import math

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(17, verbose=False)
rng = np.random.default_rng(17)
T = 100
t = np.arange(T) / 50.0
SEGMENTS = ["smooth", "roots", "rock_garden", "jump_landing", "braking_bumps"]
SHARES = np.array([0.52, 0.16, 0.13, 0.07, 0.12])


def window(label):
    sag_f, sag_r = rng.uniform(0.22, 0.3), rng.uniform(0.25, 0.33)
    speed = rng.uniform(0.7, 1.3)
    acc = rng.normal(0, 0.3, T)
    if label == 1:      # sharp short hits, mostly front
        for _ in range(rng.integers(2, 6)):
            acc[rng.integers(0, T)] += rng.uniform(0.6, 1.4)
    elif label == 2:    # big random hits, both ends
        acc += np.convolve(rng.normal(0, 0.7, T), np.ones(4) / 4, mode="same")
    elif label == 3:    # airtime then a large compression
        land = rng.integers(30, 70)
        acc[land - 15:land] -= 0.4
        acc[land:land + 4] += rng.uniform(0.8, 1.8)
    elif label == 4:    # periodic ripples while braking: weight shifts forward
        acc += 0.3 * np.sin(2 * np.pi * rng.uniform(5, 8) * speed * t)
        sag_f += 0.03
        sag_r -= 0.02
    kernel = np.exp(-np.arange(12) / 3.0)
    kernel /= kernel.sum()
    fork = sag_f + 0.12 * np.convolve(np.clip(acc, 0, None), kernel, mode="same") + rng.normal(0, 0.01, T)
    shock = sag_r + 0.09 * np.convolve(np.clip(np.roll(acc, int(6 / speed)), 0, None), kernel, mode="same") + rng.normal(0, 0.01, T)
    return np.stack([fork, shock, acc]).astype(np.float32)


def make(n):
    y = rng.choice(len(SEGMENTS), size=n, p=SHARES)
    X = np.stack([window(int(k)) for k in y])
    return X, y


Xtr, ytr = make(1000)
Xva, yva = make(400)
mu = Xtr.mean(axis=(0, 2), keepdims=True)
sd = Xtr.std(axis=(0, 2), keepdims=True)
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
counts = np.bincount(ytr, minlength=len(SEGMENTS))
class_weights = torch.tensor(len(ytr) / (len(SEGMENTS) * counts), dtype=torch.float32)

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=200)


class TelemetryNet(L.LightningModule):
    def __init__(self, n_classes, weights, lr=2e-3, warmup_steps=40):
        super().__init__()
        self.save_hyperparameters(ignore=["weights"])
        self.net = nn.Sequential(
            nn.Conv1d(3, 32, 5, padding=2), nn.GroupNorm(4, 32), nn.GELU(),
            nn.Conv1d(32, 32, 5, padding=4, dilation=2), nn.GroupNorm(4, 32), nn.GELU(),
            nn.Conv1d(32, 48, 5, padding=8, dilation=4), nn.GroupNorm(4, 48), nn.GELU(),
            nn.AdaptiveMaxPool1d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(48, n_classes),
        )
        self.loss_fn = nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05)

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        pred = logits.argmax(1)
        recalls = [(pred[y == k] == k).float().mean() for k in range(len(SEGMENTS)) if (y == k).any()]
        self.log("val_loss", self.loss_fn(logits, y))
        self.log("val_acc", (pred == y).float().mean())
        self.log("val_bal_acc", torch.stack(recalls).mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-3)
        total = self.trainer.estimated_stepping_batches
        warm = self.hparams.warmup_steps

        def lr_lambda(step):
            if step < warm:
                return (step + 1) / warm
            return 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


model = TelemetryNet(len(SEGMENTS), class_weights)
trainer = L.Trainer(
    max_epochs=10,
    accelerator="cpu",
    devices=1,
    gradient_clip_val=1.0,
    callbacks=[L.pytorch.callbacks.EarlyStopping(monitor="val_loss", patience=4, mode="min")],
    enable_progress_bar=False,
    enable_model_summary=False,
    enable_checkpointing=False,
    logger=False,
)
trainer.fit(model, train_loader, val_loader)
m = trainer.validate(model, val_loader, verbose=False)[0]
print(f"final val_loss={m['val_loss']:.4f} val_acc={m['val_acc']:.4f} val_bal_acc={m['val_bal_acc']:.4f}")
