"""Days until a wheel of alpine cheese reaches its ripeness grade, from cellar sensor data.

LightningModule + Trainer, MLP regressor on per-wheel summaries of the first weeks in the
cellar (pH trajectory, weight loss, salt uptake, cellar climate, rind-washing schedule).
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)


def simulate_wheels(n):
    milk_fat = rng.normal(3.9, 0.25, n)
    ph_day1 = rng.normal(5.25, 0.08, n)
    ph_day14 = ph_day1 + rng.normal(0.18, 0.07, n)
    salt = rng.normal(1.6, 0.25, n)                       # % after brining
    moisture = rng.normal(36, 2.0, n)                     # %
    weight_loss = rng.normal(4.5, 1.0, n) + 0.3 * (moisture - 36)
    cellar_temp = rng.normal(13, 1.5, n)
    cellar_rh = rng.normal(92, 3, n)
    washes_per_week = rng.integers(1, 5, n).astype(np.float64)
    wheel_kg = rng.normal(35, 5, n)
    texture = rng.normal(0, 1, n) + 0.4 * (ph_day14 - ph_day1 - 0.18) / 0.07

    q10 = 2.0 ** ((cellar_temp - 13) / 6)
    proteolysis = q10 * (1 + 0.8 * np.tanh((ph_day14 - 5.4) / 0.1)) * (1.3 - 0.1 * salt)
    days = (240 / proteolysis * (1 + 0.01 * (wheel_kg - 35))
            + 6 * (moisture - 36) * np.sign(cellar_rh - 92)
            - 5 * washes_per_week + 18 * np.abs(texture) + rng.normal(0, 10, n))
    X = np.column_stack([milk_fat, ph_day1, ph_day14, salt, moisture, weight_loss, cellar_temp,
                         cellar_rh, washes_per_week, wheel_kg, texture])
    return X.astype(np.float32), days.astype(np.float32)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        nn.init.zeros_(m.bias)


class RipeningRegressor(L.LightningModule):
    def __init__(self, n_in, hidden=96, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden // 2), nn.ReLU(),
        )
        self.out = nn.Linear(hidden // 2, 1)
        self.net.apply(init_weights)

    def forward(self, x):
        return self.out(self.net(x)).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.mse_loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        loss = F.mse_loss(self(x), y)
        self.log("val_mse", loss, prog_bar=False)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return [opt], [sched]


X, days = simulate_wheels(4000)
X_tr, X_va, y_tr, y_va = X[:3200], X[3200:], days[:3200], days[3200:]
mu, sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()
to_ds = lambda a, b: TensorDataset(torch.from_numpy((a - mu) / sd), torch.from_numpy((b - y_mu) / y_sd))

train_loader = DataLoader(to_ds(X_tr, y_tr), batch_size=128, shuffle=True)
val_loader = DataLoader(to_ds(X_va, y_va), batch_size=400)

model = RipeningRegressor(X.shape[1])
trainer = L.Trainer(max_epochs=15, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_loader, val_loader)

val_mse = trainer.callback_metrics["val_mse"].item()
print(f"final val_r2 {1 - val_mse * y_sd**2 / y_va.var():.4f}  val_rmse_days {np.sqrt(val_mse) * y_sd:.2f}")
