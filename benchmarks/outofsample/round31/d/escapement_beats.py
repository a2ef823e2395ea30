"""Timegrapher triage for the clock-repair bench.

A movement on the timegrapher gives, per beat, the deviation of the tick-to-tock interval
(ms) and the balance amplitude (degrees). From 120 consecutive beats we classify the fault:
0 healthy, 1 out of beat, 2 amplitude falling off (mainspring / dirty pivots),
3 damaged escape-wheel tooth (a kick once per wheel turn).
GRU over the beat sequence, Lightning, warm-up + cosine schedule stepped every batch,
gradient clipping as routine insurance.
"""
import math

import lightning.pytorch as pl
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

BEATS = 120


def movement_trace(kind, rng):
    t = np.arange(BEATS)
    interval = rng.normal(0, 0.35, BEATS) + 0.4 * np.sin(2 * np.pi * t / rng.uniform(40, 90))
    amp = rng.uniform(230, 300) + rng.normal(0, 3.0, BEATS)
    if kind == 1:
        interval += rng.uniform(0.3, 1.3) * np.where(t % 2 == 0, 1, -1)
    elif kind == 2:
        amp -= rng.uniform(0.1, 0.4) * t + rng.normal(0, 4, BEATS).cumsum() * 0.1
    elif kind == 3:
        teeth = int(rng.integers(12, 20))
        phase = int(rng.integers(0, teeth))
        kick = ((t + phase) % teeth == 0).astype(float)
        interval += rng.uniform(1.0, 2.2) * kick
        amp -= rng.uniform(4, 10) * kick
    return np.stack([interval, amp], 1)


def bench_logs(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    X = np.stack([movement_trace(k, rng) for k in y]).astype(np.float32)
    return X, y.astype(np.int64)


class BeatGRU(pl.LightningModule):
    def __init__(self, hidden=32, lr=1e-2, warmup=20, total_steps=400):
        super().__init__()
        self.save_hyperparameters()
        self.gru = nn.GRU(2, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 4)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1])

    def training_step(self, batch, _):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=True, on_epoch=True)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        w, T = self.hparams.warmup, self.hparams.total_steps

        def lr_lambda(step):
            if step < w:
                return (step + 1) / w
            return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - w) / max(1, T - w))))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def main():
    pl.seed_everything(3, workers=True)
    X, y = bench_logs(1400, seed=3)
    Xtr, ytr, Xva, yva = X[:1120], y[:1120], X[1120:], y[1120:]
    mu, sd = Xtr.mean((0, 1)), Xtr.std((0, 1))
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                          batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=280)

    epochs = 10
    model = BeatGRU(total_steps=epochs * len(train_dl))
    trainer = pl.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, gradient_clip_val=1.0,
                         logger=False, enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, deterministic=True)
    trainer.fit(model, train_dl, val_dl)
    res = trainer.validate(model, val_dl, verbose=False)[0]
    print(f"final val_loss={res['val_loss']:.4f} val_acc={res['val_acc']:.4f}")


if __name__ == "__main__":
    main()
