"""Assign geocoded addresses to delivery zones (Lightning).

Zones were drawn by dispatchers as unions of depot catchments, so they are not
convex. We learn the map from (lat, lon) of past deliveries to the zone that served them.
"""
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
L.seed_everything(11, verbose=False)

N_ZONES = 6
rng = np.random.default_rng(11)
depots = np.column_stack([rng.uniform(52.40, 52.62, 30), rng.uniform(13.15, 13.65, 30)])
depot_zone = np.arange(30) % N_ZONES
rng.shuffle(depot_zone)


def geocoded_deliveries(n):
    lat = rng.uniform(52.40, 52.62, n)
    lon = rng.uniform(13.15, 13.65, n)
    # longitude degrees are shorter at this latitude
    d = (lat[:, None] - depots[None, :, 0]) ** 2 + (0.61 * (lon[:, None] - depots[None, :, 1])) ** 2
    zone = depot_zone[d.argmin(1)]
    # geocoder jitter (~50 m)
    lat = lat + rng.normal(0, 4.5e-4, n)
    lon = lon + rng.normal(0, 7e-4, n)
    return np.column_stack([lat, lon]).astype(np.float32), zone.astype(np.int64)


def block(d_in, d_out):
    return nn.Sequential(nn.Linear(d_in, d_out), nn.LayerNorm(d_out))


class ZoneClassifier(L.LightningModule):
    def __init__(self, width=128, lr=1e-2, mean=None, std=None):
        super().__init__()
        self.save_hyperparameters(ignore=["mean", "std"])
        self.register_buffer("mean", torch.as_tensor(mean))
        self.register_buffer("std", torch.as_tensor(std))
        self.body = nn.Sequential(block(2, width), block(width, width), block(width, width))
        self.head = nn.Linear(width, N_ZONES)

    def forward(self, x):
        return self.head(self.body((x - self.mean) / self.std))

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
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


X_tr, y_tr = geocoded_deliveries(6000)
X_va, y_va = geocoded_deliveries(1500)
train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)), batch_size=256, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=500)

model = ZoneClassifier(mean=X_tr.mean(0), std=X_tr.std(0))
trainer = L.Trainer(max_epochs=40, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)
train_loss = trainer.callback_metrics["train_loss"].item()
m = trainer.validate(model, val_dl, verbose=False)[0]
print(f"final val_loss {m['val_loss']:.4f}  val_acc {m['val_acc']:.4f}  "
      f"train_loss {train_loss:.4f}")
