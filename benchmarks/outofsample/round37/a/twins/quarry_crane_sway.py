"""Quarry derrick crane: predict the peak load-sway angle (degrees) of a slew
move from payload, hoist rope length, slew profile and wind readings.
LightningModule + Trainer, MLP regressor on standardised features, RMSprop."""
import warnings

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
L.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)

n = 3000
payload_t = rng.uniform(1, 18, n)
rope_m = rng.uniform(6, 40, n)
slew_deg_s = rng.uniform(2, 12, n)
accel_s = rng.uniform(1, 6, n)          # time to reach slew speed
brake_s = rng.uniform(1, 6, n)
wind_ms = rng.gamma(2.0, 2.5, n)
gust = wind_ms * rng.uniform(1.1, 1.8, n)
radius_m = rng.uniform(8, 35, n)

omega = np.sqrt(9.81 / rope_m)                      # pendulum frequency
tang_acc = np.deg2rad(slew_deg_s) * radius_m / np.minimum(accel_s, brake_s)
resonance = 1.0 + 0.8 / (1.0 + (omega * np.minimum(accel_s, brake_s) - np.pi) ** 2)
sway = np.rad2deg(np.arctan(tang_acc / 9.81)) * resonance + 0.04 * gust ** 2 / np.sqrt(payload_t)
sway = sway + rng.normal(0, 0.25, n)

X = np.stack([payload_t, rope_m, slew_deg_s, accel_s, brake_s, wind_ms, gust, radius_m], 1)
tr, va = np.arange(2400), np.arange(2400, n)
X = (X - X[tr].mean(0)) / X[tr].std(0)
y_mu, y_sd = sway[tr].mean(), sway[tr].std()
y = (sway - y_mu) / y_sd

to_t = lambda a: torch.tensor(a, dtype=torch.float32)
train_dl = DataLoader(TensorDataset(to_t(X[tr]), to_t(y[tr])), batch_size=32, shuffle=True)
val_dl = DataLoader(TensorDataset(to_t(X[va]), to_t(y[va])), batch_size=300)


class SwayRegressor(L.LightningModule):
    def __init__(self, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(8, 128), nn.SiLU(), nn.Linear(128, 128), nn.SiLU(), nn.Linear(128, 1))
        self.val_abs = []

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, _):
        x, t = batch
        loss = nn.functional.mse_loss(self(x), t)
        self.log("train_mse", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, t = batch
        pred = self(x)
        self.log("val_mse", nn.functional.mse_loss(pred, t))
        self.val_abs.append(((pred - t).abs() * y_sd).cpu())

    def on_validation_epoch_end(self):
        mae = torch.cat(self.val_abs).mean().item()
        self.val_abs.clear()
        if not self.trainer.sanity_checking and self.current_epoch % 4 == 3:
            print(f"epoch {self.current_epoch + 1:2d}  val_mae {mae:.3f} deg  train_mse {self.trainer.callback_metrics.get('train_mse', float('nan')):.4f}")
        self.last_mae = mae

    def configure_optimizers(self):
        return torch.optim.RMSprop(self.parameters(), lr=self.hparams.lr)


model = SwayRegressor(lr=3e-3)
trainer = L.Trainer(max_epochs=20, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)
print(f"final val_mae {model.last_mae:.3f} deg")
