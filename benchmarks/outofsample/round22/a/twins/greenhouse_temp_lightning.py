"""Greenhouse climate: forecast the air temperature one hour ahead from the last hour of
5-minute readings (inside/outside temperature, solar radiation, vent opening, heating-pipe
temperature, relative humidity). Used by the climate computer to pre-empt vent moves."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(21, verbose=False)
rng = np.random.default_rng(21)

STEPS_PER_DAY = 288
DAYS = 40
WIN, HORIZON = 12, 12


def simulate(days):
    n = days * STEPS_PER_DAY
    tod = np.arange(n) % STEPS_PER_DAY / STEPS_PER_DAY
    day_idx = np.arange(n) // STEPS_PER_DAY
    cloud = np.repeat(rng.beta(2, 2, days), STEPS_PER_DAY)
    solar = np.clip(np.sin((tod - 0.25) * 2 * np.pi), 0, None) * 800 * (1 - 0.7 * cloud)
    t_out = 8 + 6 * np.sin((tod - 0.35) * 2 * np.pi) + np.repeat(rng.normal(0, 3, days), STEPS_PER_DAY)
    t_in = np.zeros(n); vent = np.zeros(n); pipe = np.zeros(n); rh = np.zeros(n)
    t_in[0] = 18.0
    for t in range(1, n):
        vent[t] = np.clip((t_in[t - 1] - 24) / 4, 0, 1)
        pipe[t] = np.clip(40 + 8 * (17 - t_in[t - 1]), 20, 70)
        dT = (0.004 * solar[t] / 10 - 0.01 * (t_in[t - 1] - t_out[t]) - 0.06 * vent[t] * (t_in[t - 1] - t_out[t])
              + 0.004 * (pipe[t] - t_in[t - 1]))
        t_in[t] = t_in[t - 1] + dT + rng.normal(0, 0.05)
        rh[t] = np.clip(85 - 1.5 * (t_in[t] - 15) - 20 * vent[t] + rng.normal(0, 2), 30, 100)
    return np.stack([t_in, t_out, solar, vent, pipe, rh], axis=1).astype(np.float32), day_idx


series, day_idx = simulate(DAYS)
starts = np.arange(0, len(series) - WIN - HORIZON)
X = np.stack([series[s:s + WIN] for s in starts])
y = series[starts + WIN + HORIZON - 1, 0]
last_day = day_idx[starts + WIN + HORIZON - 1]
train_m, val_m = last_day < 32, day_idx[starts] >= 32

mu, sd = X[train_m].reshape(-1, 6).mean(0), X[train_m].reshape(-1, 6).std(0)
y_mu, y_sd = y[train_m].mean(), y[train_m].std()
Xn = ((X - mu) / sd).astype(np.float32)
yn = ((y - y_mu) / y_sd).astype(np.float32)
train_ds = TensorDataset(torch.from_numpy(Xn[train_m]), torch.from_numpy(yn[train_m]))
val_ds = TensorDataset(torch.from_numpy(Xn[val_m]), torch.from_numpy(yn[val_m]))


class ClimateForecaster(L.LightningModule):
    def __init__(self, n_feat=6, win=WIN, hidden=64, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Flatten(), nn.Linear(n_feat * win, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, 1))
        self.val_se, self.val_n = 0.0, 0

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.mse_loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        err = (self(x) - y) * float(y_sd)
        self.val_se += (err ** 2).sum().item()
        self.val_n += len(y)

    def on_validation_epoch_end(self):
        self.val_rmse = (self.val_se / max(self.val_n, 1)) ** 0.5
        self.log("val_rmse", self.val_rmse)
        if self.current_epoch % 3 == 2:
            print(f"epoch {self.current_epoch + 1}: train_loss {self.trainer.callback_metrics.get('train_loss', float('nan')):.4f} "
                  f"val_rmse {self.val_rmse:.3f}")
        self.val_se, self.val_n = 0.0, 0

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


model = ClimateForecaster()
trainer = L.Trainer(max_epochs=15, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False,
                    num_sanity_val_steps=0)
trainer.fit(model, DataLoader(train_ds, batch_size=128, shuffle=True), DataLoader(val_ds, batch_size=512))
print(f"final val_rmse={model.val_rmse:.3f} degC (persistence baseline "
      f"{np.sqrt(np.mean((X[val_m][:, -1, 0] - y[val_m]) ** 2)):.3f})")
