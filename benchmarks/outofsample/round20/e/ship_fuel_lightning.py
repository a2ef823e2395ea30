"""Daily main-engine fuel consumption (t/day) of a bulk-carrier fleet from noon reports.

Propulsion physics makes fuel roughly proportional to displacement^(2/3) * speed^3, so the
target is modelled in log space (standardised) where the effects are close to additive.
The network is deliberately small (one hidden layer of 16 units): the fleet's reports are
few and noisy and the performance team wants a smooth curve, not a memoriser. Lightning
handles the loop, ReduceLROnPlateau and early stopping on validation loss.
"""
import numpy as np
import torch
import torch.nn as nn
import lightning.pytorch as pl
from lightning.pytorch.callbacks import EarlyStopping
from torch.utils.data import DataLoader, TensorDataset

pl.seed_everything(21, verbose=False)
rng = np.random.default_rng(21)

N = 3000
vessel = rng.integers(0, 6, N)
dwt = np.array([58e3, 63e3, 76e3, 82e3, 180e3, 205e3])[vessel]
laden = rng.random(N) < 0.55
draft = np.where(laden, rng.normal(13.2, 0.6, N), rng.normal(7.5, 0.5, N)) * (dwt / 82e3) ** 0.25
displacement = dwt * np.where(laden, rng.uniform(0.9, 1.0, N), rng.uniform(0.35, 0.45, N)) + 0.2 * dwt
speed = np.clip(rng.normal(12.0, 1.3, N), 8.5, 15.0)
wind = np.abs(rng.normal(14, 7, N))                       # knots
wave = np.clip(0.05 * wind + rng.gamma(2, 0.4, N), 0.1, 7)  # metres
rel_heading = rng.uniform(0, 2 * np.pi, N)              # wind relative to bow
days_since_clean = rng.uniform(0, 900, N)
sea_temp = rng.normal(22, 5, N)
trim = rng.normal(0.3, 0.6, N)

head_sea = (1 + np.cos(rel_heading)) / 2
fuel = (7e-4 * displacement ** (2 / 3) * speed ** 3 / 100
        * (1 + 0.045 * wave ** 1.5 * head_sea + 0.004 * wind * head_sea)
        * (1 + 0.00025 * days_since_clean + 0.02 * np.abs(trim - 0.5))
        * rng.lognormal(0, 0.05, N))

X = np.column_stack([
    speed, draft, np.log(displacement), wind, wave, np.sin(rel_heading), np.cos(rel_heading),
    days_since_clean, sea_temp, trim,
]).astype(np.float32)
y = np.log(fuel).astype(np.float32)

perm = rng.permutation(N)
tr, va = perm[:2400], perm[2400:]
x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()
Xs, ys = (X - x_mu) / x_sd, (y - y_mu) / y_sd


class FuelModel(pl.LightningModule):
    def __init__(self, n_in, hidden=16, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.loss = nn.MSELoss()

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", self.loss(self(x), y), prog_bar=False)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=3)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


def loader(idx, shuffle):
    ds = TensorDataset(torch.from_numpy(Xs[idx]), torch.from_numpy(ys[idx]))
    return DataLoader(ds, batch_size=64 if shuffle else 600, shuffle=shuffle)


model = FuelModel(X.shape[1])
trainer = pl.Trainer(max_epochs=60, accelerator="cpu", devices=1, logger=False,
                     enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                     callbacks=[EarlyStopping(monitor="val_loss", patience=6, min_delta=1e-4)])
trainer.fit(model, loader(tr, True), loader(va, False))

model.eval()
with torch.no_grad():
    pred = np.exp(model(torch.from_numpy(Xs[va])).numpy() * y_sd + y_mu)
true = fuel[va]
mape = np.mean(np.abs(pred - true) / true) * 100
r2 = 1 - ((pred - true) ** 2).sum() / ((true - true.mean()) ** 2).sum()
print(f"stopped after {trainer.current_epoch} epochs; val MAPE {mape:.2f}% R2 {r2:.4f} "
      f"(mean fuel {true.mean():.1f} t/day)")
