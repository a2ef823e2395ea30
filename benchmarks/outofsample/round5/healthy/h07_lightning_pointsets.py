"""Shape recognition from 2-D point sets of varying size, in PyTorch Lightning.

Each sample is 12-48 (x, y) points sampled from one of five outlines (circle, square, triangle,
cross, two blobs), randomly rotated, scaled and jittered, then centred. A collate function pads the
sets and returns (points, mask, label); the model is permutation-invariant: a point-wise MLP,
with each point's distance to the centroid appended, one masked self-attention block and masked mean + max pooling, called as model(points, mask).
ReduceLROnPlateau watches val_loss, which is logged every epoch.
"""
import math

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

L.seed_everything(5, verbose=False)
CLASSES = ["circle", "square", "triangle", "cross", "two_blobs"]


def sample_outline(kind, n, rng):
    t = rng.uniform(0, 1, n)
    if kind == "circle":
        a = 2 * math.pi * t
        pts = np.stack([np.cos(a), np.sin(a)], 1)
    elif kind in ("square", "triangle"):
        k = 4 if kind == "square" else 3
        corners = np.array([[math.cos(2 * math.pi * i / k), math.sin(2 * math.pi * i / k)] for i in range(k)])
        side = (t * k).astype(int) % k
        frac = (t * k) % 1
        pts = corners[side] * (1 - frac[:, None]) + corners[(side + 1) % k] * frac[:, None]
    elif kind == "cross":
        s = rng.uniform(-1, 1, n)
        horiz = rng.random(n) < 0.5
        pts = np.where(horiz[:, None], np.stack([s, np.zeros(n)], 1), np.stack([np.zeros(n), s], 1))
    else:  # two blobs
        c = np.where(rng.random(n) < 0.5, -0.7, 0.7)
        pts = np.stack([c, np.zeros(n)], 1) + rng.normal(0, 0.18, (n, 2))
    return pts


class PointSets(Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.items = []
        for _ in range(n):
            y = int(rng.integers(len(CLASSES)))
            m = int(rng.integers(12, 49))
            pts = sample_outline(CLASSES[y], m, rng)
            th = rng.uniform(0, 2 * math.pi)
            rot = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
            pts = pts @ rot.T * rng.uniform(0.6, 1.4) + rng.normal(0, 0.05, (m, 2))
            pts -= pts.mean(0)
            self.items.append((torch.tensor(pts, dtype=torch.float32), y))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def pad_collate(batch):
    n_max = max(p.shape[0] for p, _ in batch)
    x = torch.zeros(len(batch), n_max, 2)
    mask = torch.zeros(len(batch), n_max, dtype=torch.bool)
    for i, (p, _) in enumerate(batch):
        x[i, : len(p)] = p
        mask[i, : len(p)] = True
    return x, mask, torch.tensor([y for _, y in batch])


class SetClassifier(nn.Module):
    def __init__(self, d=64, n_classes=len(CLASSES)):
        super().__init__()
        self.point_mlp = nn.Sequential(nn.Linear(3, d), nn.ReLU(), nn.Linear(d, d))
        self.attn = nn.MultiheadAttention(d, num_heads=4, batch_first=True)
        self.norm = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.ReLU(), nn.Linear(2 * d, d))
        self.norm2 = nn.LayerNorm(d)
        self.head = nn.Sequential(nn.Linear(2 * d, d), nn.ReLU(), nn.Dropout(0.1), nn.Linear(d, n_classes))

    def forward(self, x, mask):
        r = x.norm(dim=-1, keepdim=True)                 # distance to the centroid, rotation-invariant
        h = self.point_mlp(torch.cat([x, r], dim=-1))
        a, _ = self.attn(h, h, h, key_padding_mask=~mask)
        h = self.norm(h + a)
        h = self.norm2(h + self.ff(h))
        m = mask.unsqueeze(-1).float()
        mean = (h * m).sum(1) / m.sum(1)
        mx = h.masked_fill(~mask.unsqueeze(-1), float("-inf")).amax(1)
        return self.head(torch.cat([mean, mx], dim=1))


class LitSets(L.LightningModule):
    def __init__(self, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = SetClassifier()

    def forward(self, x, mask):
        return self.net(x, mask)

    def training_step(self, batch, _):
        x, mask, y = batch
        loss = F.cross_entropy(self(x, mask), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, mask, y = batch
        logits = self(x, mask)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=1)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


class PrintMetrics(L.Callback):
    def on_validation_epoch_end(self, trainer, pl_module):
        if not trainer.sanity_checking:
            self.val = {k: float(trainer.callback_metrics[k]) for k in ("val_loss", "val_acc")}

    def on_train_epoch_end(self, trainer, pl_module):
        m = trainer.callback_metrics      # validation of this epoch has already run
        print(f"epoch {trainer.current_epoch} train_loss {float(m['train_loss']):.4f} "
              f"val_loss {self.val['val_loss']:.4f} val_acc {self.val['val_acc']:.4f}")


train_dl = DataLoader(PointSets(3000, seed=1), batch_size=64, shuffle=True, collate_fn=pad_collate)
val_dl = DataLoader(PointSets(600, seed=2), batch_size=200, collate_fn=pad_collate)

lit = LitSets()
trainer = L.Trainer(max_epochs=10, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False, deterministic=True,
                    callbacks=[PrintMetrics()])
trainer.fit(lit, train_dl, val_dl)
res = trainer.validate(lit, val_dl, verbose=False)[0]
print(f"FINAL val_acc {res['val_acc']:.4f} val_loss {res['val_loss']:.4f} (chance 0.20)")
