"""Residential sale-price model (Lightning).

Tabular listing features -> sale price in USD. Synthetic metro area: price depends on
living area, lot, age, condition, school rating, distance to the centre and a
neighbourhood premium, with multiplicative noise.
"""
import numpy as np
import torch
import torch.nn as nn
import lightning as L
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(7, workers=True)
rng = np.random.default_rng(7)

n = 3000
sqft = rng.lognormal(np.log(1750), 0.35, n)
beds = np.clip(np.round(sqft / 650 + rng.normal(0, 0.7, n)), 1, 6)
baths = np.clip(np.round(beds * 0.6 + rng.normal(0, 0.5, n)) / 1.0, 1, 4)
lot = rng.lognormal(np.log(6500), 0.5, n)
year = np.clip(rng.normal(1978, 22, n), 1900, 2023).round()
cond = np.clip(rng.normal(3.2, 0.8, n), 1, 5)
school = np.clip(rng.normal(6.5, 1.8, n), 1, 10)
lat = rng.normal(0, 1, n)
lon = rng.normal(0, 1, n)
dist = np.sqrt(lat ** 2 + lon ** 2) * 8 + rng.gamma(1.5, 1.0, n)
garage = rng.integers(0, 3, n).astype(float)
hood = 0.25 * np.tanh(1.2 * lat - 0.6 * lon) + 0.1 * np.sin(2 * lon)

log_price = (np.log(185) + np.log(sqft) * 0.95 + 0.08 * np.log(lot) - 0.012 * dist
             + 0.06 * (cond - 3) + 0.035 * (school - 6.5) + 0.002 * (year - 1978)
             + 0.03 * baths + 0.025 * garage + hood + rng.normal(0, 0.1, n))
price = np.exp(log_price)                  # USD
X = np.column_stack([sqft, beds, baths, np.log(lot), year, cond, school, lat, lon, dist, garage])

X_tr, X_va, y_tr, y_va = train_test_split(X, price, test_size=0.2, random_state=7)
x_scaler = StandardScaler().fit(X_tr)
y_scaler = StandardScaler().fit(y_tr[:, None])


def make_ds(X, y):
    xt = torch.tensor(x_scaler.transform(X), dtype=torch.float32)
    yt = torch.tensor(y[:, None], dtype=torch.float32)
    return TensorDataset(xt, yt)


class PriceRegressor(L.LightningModule):
    def __init__(self, n_in, hidden=128, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 1),
        )
        self.loss = nn.MSELoss()
        self._val = []

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        pred = self(x)
        self._val.append((pred.detach(), y))
        self.log("val_loss", self.loss(pred, y))

    def on_validation_epoch_end(self):
        pred = torch.cat([p for p, _ in self._val])
        y = torch.cat([t for _, t in self._val])
        self._val.clear()
        r2 = 1 - ((pred - y) ** 2).sum() / ((y - y.mean()) ** 2).sum()
        self.log("val_r2", r2)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


train_loader = DataLoader(make_ds(X_tr, y_tr), batch_size=64, shuffle=True)
val_loader = DataLoader(make_ds(X_va, y_va), batch_size=256)

model = PriceRegressor(X.shape[1])
trainer = L.Trainer(max_epochs=30, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False, deterministic=True)
trainer.fit(model, train_loader, val_loader)
m = trainer.callback_metrics
print(f"final val R2 {m['val_r2'].item():.4f} (val_loss {m['val_loss'].item():.4g})")
