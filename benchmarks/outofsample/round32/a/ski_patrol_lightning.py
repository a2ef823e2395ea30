"""How long will a ski-patrol call take? Call-to-clinic minutes from the dispatch log (Lightning).

Features at dispatch: distance and climb from the nearest hut, slope grade, snow depth,
visibility, wind, air temperature, hour of day, patrollers free, whether a toboggan is needed and
the incident type (fall, collision, lift, medical, burial). Durations are heavy-tailed (a few
searches and burials take hours), so the MLP is fitted with a Huber loss on robustly scaled
minutes; warm-up then cosine decay per step, gradient clipping as routine insurance.
"""
import math

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(23, verbose=False)
rng = np.random.default_rng(23)

N = 4000
TYPES = ["fall", "collision", "lift", "medical", "burial"]
itype = rng.choice(5, size=N, p=[0.5, 0.2, 0.1, 0.15, 0.05])
dist = rng.gamma(2.0, 0.8, N)                        # km
climb = np.clip(rng.normal(120, 90, N), 0, None)     # m
grade = rng.uniform(5, 40, N)                        # degrees
snow = rng.gamma(3.0, 40, N)                         # cm
vis = np.clip(rng.gamma(2.0, 400, N), 20, 3000)      # m
wind = rng.gamma(2.0, 12, N)                         # km/h
temp = rng.normal(-6, 5, N)                          # C
hour = rng.uniform(8.5, 16.5, N)
crew = rng.integers(1, 7, N)
toboggan = (rng.random(N) < np.where(itype == 3, 0.3, 0.7)).astype(float)

base = np.array([18, 25, 30, 22, 70])[itype]
minutes = (base + 6 * dist + 0.05 * climb + 0.4 * grade * toboggan + 0.05 * snow
           + 900 / (vis + 100) + 0.2 * wind * (itype == 4) + 10 * toboggan - 2.5 * np.minimum(crew, 4))
minutes = minutes * rng.lognormal(0, 0.25, N)
tail = rng.random(N) < 0.04                          # searches, second casualties, helicopter waits
minutes[tail] += rng.pareto(1.5, tail.sum()) * 60
minutes = np.clip(minutes, 4, None)

cont = np.column_stack([dist, climb, grade, snow, np.log(vis), wind, temp,
                        np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24), crew])
X = np.column_stack([cont, toboggan, np.eye(5)[itype]]).astype(np.float32)
idx = rng.permutation(N)
tr, va = idx[:3200], idx[3200:]
mu, sd = X[tr, :10].mean(0), X[tr, :10].std(0)
X[:, :10] = (X[:, :10] - mu) / sd
med = np.median(minutes[tr])
iqr = np.subtract(*np.percentile(minutes[tr], [75, 25]))
y = ((minutes - med) / iqr).astype(np.float32)[:, None]

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=400)


class CallDuration(L.LightningModule):
    def __init__(self, n_in, lr=3e-3, warmup=100, total=2000):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, 96), nn.GELU(), nn.Linear(96, 96), nn.GELU(), nn.Linear(96, 1))
        self.val_abs, self.val_n = 0.0, 0

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.huber_loss(self(x), y, delta=1.0)
        self.log("train_loss", loss, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        pred = self(x)
        self.log("val_loss", F.huber_loss(pred, y, delta=1.0), prog_bar=True)
        self.val_abs += ((pred - y).abs() * iqr).sum().item()
        self.val_n += len(y)

    def on_validation_epoch_end(self):
        self.log("val_mae_min", self.val_abs / max(self.val_n, 1))
        self.val_abs, self.val_n = 0.0, 0

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-3)
        w, T = self.hparams.warmup, self.hparams.total

        def lr_lambda(step):
            if step < w:
                return (step + 1) / w
            return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, (step - w) / (T - w))))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


epochs = 25
model = CallDuration(X.shape[1], total=epochs * len(train_loader))
trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, gradient_clip_val=1.0,
                    logger=False, enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False, num_sanity_val_steps=0)
trainer.fit(model, train_loader, val_loader)

model.eval()
with torch.no_grad():
    pred = model(torch.from_numpy(X[va])).numpy()[:, 0] * iqr + med
mae = np.abs(pred - minutes[va]).mean()
median_ae = np.median(np.abs(pred - minutes[va]))
const = np.abs(med - minutes[va]).mean()
print(f"val MAE {mae:.2f} min, median abs error {median_ae:.2f} min (predict-the-median MAE {const:.2f} min)")
