"""Taxi fare regression from trip endpoints and time (Lightning).

Trips are simulated over a city grid with two airports and a toll bridge: fare grows with the
great-circle distance, rush hours slow the meter, airports add a flat fee. Targets are
standardised with the training statistics and scored back in dollars.
"""
import math

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(21, verbose=False)

CENTER = (40.75, -73.98)
AIRPORTS = [(40.64, -73.78), (40.77, -73.87)]


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def simulate_trips(rng, n):
    def point(k):
        lat = CENTER[0] + rng.normal(0, 0.035, k)
        lon = CENTER[1] + rng.normal(0, 0.03, k)
        ap = rng.random(k) < 0.08
        which = rng.integers(0, 2, k)
        lat[ap] = np.array(AIRPORTS)[which[ap], 0] + rng.normal(0, 0.004, ap.sum())
        lon[ap] = np.array(AIRPORTS)[which[ap], 1] + rng.normal(0, 0.004, ap.sum())
        return lat, lon, ap

    plat, plon, pap = point(n)
    dlat, dlon, dap = point(n)
    hour = rng.uniform(0, 24, n)
    dow = rng.integers(0, 7, n)
    pax = rng.choice([1, 1, 1, 1, 2, 2, 3, 4, 5], n)
    dist = haversine_km(plat, plon, dlat, dlon)
    rush = ((np.abs(hour - 8.5) < 1.5) | (np.abs(hour - 17.5) < 2)) & (dow < 5)
    night = (hour < 6) | (hour > 20)
    fare = 3.0 + 1.75 * dist * np.where(rush, 1.35, 1.0) + 0.5 * night
    fare += np.where(pap | dap, 20.0, 0.0)
    fare += np.where((plon > -73.96) != (dlon > -73.96), 6.5, 0.0)
    fare += rng.normal(0, 1.0, n)
    X = np.stack([plat, plon, dlat, dlon,
                  np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                  np.sin(2 * np.pi * dow / 7), np.cos(2 * np.pi * dow / 7), pax], axis=1)
    return X.astype(np.float32), fare.astype(np.float32)


rng = np.random.default_rng(21)
X, y = simulate_trips(rng, 14000)
X_tr, y_tr, X_va, y_va = X[:11000], y[:11000], X[11000:], y[11000:]
x_mu, x_sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()


def make_ds(Xa, ya):
    return TensorDataset(torch.from_numpy((Xa - x_mu) / x_sd), torch.from_numpy((ya - y_mu) / y_sd))


train_dl = DataLoader(make_ds(X_tr, y_tr), batch_size=128, shuffle=True)
val_dl = DataLoader(make_ds(X_va, y_va), batch_size=1024)


def mlp(sizes, dropout=0.05):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class FareModel(L.LightningModule):
    def __init__(self, n_in, lr=3e-3, epochs=12):
        super().__init__()
        self.save_hyperparameters()
        self.net = mlp([n_in, 128, 128, 64, 1])
        self.loss_fn = nn.MSELoss()
        self.val_sq, self.val_n = 0.0, 0

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        pred = self(x)
        self.log("val_loss", self.loss_fn(pred, y))
        self.val_sq += float((((pred - y) * y_sd) ** 2).sum())
        self.val_n += len(y)

    def on_validation_epoch_end(self):
        rmse = math.sqrt(self.val_sq / max(self.val_n, 1))
        self.log("val_rmse_usd", rmse)
        self.val_sq, self.val_n = 0.0, 0

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs, eta_min=1e-4)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


model = FareModel(X.shape[1])
trainer = L.Trainer(max_epochs=12, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)
m = trainer.callback_metrics
r2 = 1 - float(m["val_rmse_usd"]) ** 2 / float(y_va.var())
print(f"final train_loss {float(m['train_loss']):.4f} val_rmse_usd {float(m['val_rmse_usd']):.3f} val_r2 {r2:.4f}")
