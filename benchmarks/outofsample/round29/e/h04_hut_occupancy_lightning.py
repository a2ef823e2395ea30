"""Mountain-hut bookings: forecast the share of beds taken for a hut-night.

Inputs: the hut (embedding), weekday, week of the season, the weather outlook, how many
days ahead the forecast is made, bookings already on the books, and a school-holiday flag.
The target is a fraction in [0, 1] (many nights are full), so the network outputs a logit
and is trained with binary cross-entropy against the fractional target, a quasi-binomial
likelihood for proportions. Lightning drives the loop.
"""
import logging

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
L.seed_everything(21, verbose=False)
rng = np.random.default_rng(21)

N_HUTS = 14
n = 4000
hut = rng.integers(0, N_HUTS, n)
popularity = rng.normal(0, 0.8, N_HUTS)
altitude_km = rng.uniform(1.8, 3.2, N_HUTS)
weekday = rng.integers(0, 7, n)
week = rng.integers(0, 16, n)                  # mid-June .. September
outlook = rng.normal(0, 1, n)                  # forecast sunshine anomaly
ahead = rng.integers(1, 30, n)                 # days before the night
holiday = (rng.random(n) < 0.3).astype(np.float32)
season = np.sin(np.pi * (week + 0.5) / 16)
logit = (popularity[hut] + 1.6 * season + 0.9 * (weekday >= 4) + 0.7 * holiday
         - 0.9 * (altitude_km[hut] - 2.5) * (week < 3))
final_share = 1 / (1 + np.exp(-(logit + 0.6 * outlook * np.exp(-ahead / 10))))
booked_share = final_share * np.clip(1 - ahead / 35 + rng.normal(0, 0.05, n), 0.05, 1)
capacity = rng.choice([20, 40, 60, 90], N_HUTS)[hut]
beds = rng.binomial(capacity, final_share)
target = (beds / capacity).astype(np.float32)

num = np.stack([season, np.cos(np.pi * (week + 0.5) / 16), weekday >= 4, holiday,
                outlook, np.log(ahead), booked_share], 1).astype(np.float32)
idx = rng.permutation(n)
tr, va = idx[:3200], idx[3200:]
cont = [0, 1, 4, 5, 6]
mu, sd = num[tr][:, cont].mean(0), num[tr][:, cont].std(0)
num[:, cont] = (num[:, cont] - mu) / sd


def loader(rows, shuffle):
    ds = TensorDataset(torch.from_numpy(num[rows]), torch.from_numpy(hut[rows]).long(),
                       torch.from_numpy(target[rows]))
    return DataLoader(ds, batch_size=64, shuffle=shuffle)


class HutOccupancy(L.LightningModule):
    def __init__(self, n_num, n_huts, emb=6, hidden=64, lr=3e-3, epochs=15):
        super().__init__()
        self.save_hyperparameters()
        self.hut_emb = nn.Embedding(n_huts, emb)
        self.mlp = nn.Sequential(nn.Linear(n_num + emb, hidden), nn.SiLU(),
                                 nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, 1))
        self.loss = nn.BCEWithLogitsLoss()

    def forward(self, x_num, hut_id):
        return self.mlp(torch.cat([x_num, self.hut_emb(hut_id)], 1)).squeeze(1)

    def training_step(self, batch, _):
        x, h, y = batch
        loss = self.loss(self(x, h), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, h, y = batch
        logits = self(x, h)
        self.log("val_loss", self.loss(logits, y), prog_bar=False)
        self.log("val_mae", (torch.sigmoid(logits) - y).abs().mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-3)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs)
        return [opt], [sched]


model = HutOccupancy(num.shape[1], N_HUTS)
trainer = L.Trainer(max_epochs=15, logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False, accelerator="cpu",
                    deterministic=True)
trainer.fit(model, loader(tr, True), loader(va, False))
res = trainer.validate(model, loader(va, False), verbose=False)[0]
const_mae = np.abs(target[tr].mean() - target[va]).mean()
print(f"final val_mae {res['val_mae']:.4f} (constant share {const_mae:.4f}) val_bce {res['val_loss']:.4f}")
