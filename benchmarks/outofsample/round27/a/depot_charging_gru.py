"""Bus depot: from the first 40 minutes of a charging session (charger current, pack
voltage, pack temperature and ambient temperature, one sample every 24 s = 100 steps)
predict the minutes still needed to reach 95 % state of charge, so the depot planner
can assign the next bus to the bay. GRU over the whole curve, Lightning loop, routine
gradient-norm clipping, linear warm-up then cosine decay stepped every batch."""
import math
import warnings

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
L.seed_everything(23, verbose=False)
rng = np.random.default_rng(23)
T = 100


def sessions(n):
    t = np.arange(T) * 0.4                                    # minutes
    cap = rng.uniform(280, 560, n)                             # kWh pack capacity
    soc0 = rng.uniform(0.10, 0.45, n)
    p_max = rng.choice([150.0, 300.0], n)                      # kW charger
    ambient = rng.normal(8, 7, n)
    health = rng.uniform(0.82, 1.0, n)
    X = np.empty((n, T, 4), dtype=np.float32)
    remaining = np.empty(n, dtype=np.float32)
    for i in range(n):
        derate = 1.0 - 0.012 * np.clip(5 - ambient[i], 0, None)
        p = p_max[i] * derate * np.minimum(1, t / 2.0 + 0.05)   # soft start
        soc = np.clip(soc0[i] + np.cumsum(p) * 0.4 / 60 / (cap[i] * health[i]), 0, 1)
        volt = 620 + 160 * soc + rng.normal(0, 2, T)
        temp = ambient[i] + 6 + 10 * (p / 300) * (1 - np.exp(-t / 12)) + rng.normal(0, 0.3, T)
        X[i, :, 0] = p / volt * 1000 / 100 + rng.normal(0, 0.05, T)
        X[i, :, 1] = volt
        X[i, :, 2] = temp
        X[i, :, 3] = ambient[i] + rng.normal(0, 0.2, T)
        left = max(0.95 - soc[-1], 0) * cap[i] * health[i]
        taper = 1.0 + 0.6 * max(soc[-1] - 0.8, 0)
        remaining[i] = left / (p_max[i] * derate) * 60 * taper + rng.normal(0, 1.5)
    return X, remaining


X, y = sessions(1250)
X_tr, y_tr, X_va, y_va = X[:1000], y[:1000], X[1000:], y[1000:]
mu, sd = X_tr.reshape(-1, 4).mean(0), X_tr.reshape(-1, 4).std(0)
y_mu, y_sd = float(y_tr.mean()), float(y_tr.std())


def loader(Xs, ys, shuffle):
    ds = TensorDataset(torch.from_numpy((Xs - mu) / sd), torch.from_numpy((ys - y_mu) / y_sd))
    return DataLoader(ds, batch_size=32, shuffle=shuffle)


class ChargeGRU(L.LightningModule):
    def __init__(self, hidden=48, lr=3e-3, warmup=60):
        super().__init__()
        self.save_hyperparameters()
        self.gru = nn.GRU(4, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)

    def training_step(self, batch, _):
        x, yb = batch
        loss = nn.functional.mse_loss(self(x), yb)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, yb = batch
        pred = self(x)
        self.log("val_loss", nn.functional.mse_loss(pred, yb), prog_bar=True)
        self.log("val_mae_min", (pred - yb).abs().mean() * y_sd)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        total = self.trainer.estimated_stepping_batches
        warm = self.hparams.warmup

        def factor(step):
            if step < warm:
                return (step + 1) / warm
            return 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


model = ChargeGRU()
trainer = L.Trainer(max_epochs=10, gradient_clip_val=1.0, accelerator="cpu", devices=1,
                    logger=False, enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False)
trainer.fit(model, loader(X_tr, y_tr, True), loader(X_va, y_va, False))
res = trainer.validate(model, loader(X_va, y_va, False), verbose=False)[0]
print(f"naive MAE (predict train mean) {np.abs(y_va - y_mu).mean():.2f} min")
print(f"final val MAE {res['val_mae_min']:.2f} min")
