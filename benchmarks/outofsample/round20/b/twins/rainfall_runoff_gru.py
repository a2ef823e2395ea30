"""Next-day streamflow for a small upland catchment from 30 days of forcing and gauged flow.

Forcing: log precipitation, potential evapotranspiration, air temperature, snow flag.
Target: log discharge (standardised). GRU encoder, LightningModule, SGD + Nesterov.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)

DAYS = 9 * 365
WINDOW = 30

t = np.arange(DAYS)
season = np.sin(2 * np.pi * (t - 80) / 365.25)
temp = 8 + 9 * season + rng.normal(0, 2.5, DAYS)
pet = np.clip(1.6 + 1.4 * season + 0.08 * (temp - 8) + rng.normal(0, 0.3, DAYS), 0.05, None)
wet = rng.random(DAYS) < (0.42 - 0.12 * season)
precip = np.where(wet, rng.gamma(0.9, 7.0, DAYS), 0.0)

# conceptual two-store catchment (snow + soil + groundwater), used only to make the data
snow = soil = gw = 0.0
q = np.zeros(DAYS)
for d in range(DAYS):
    if temp[d] < 0.5:
        snow += precip[d]
        rain = 0.0
    else:
        rain = precip[d]
    melt = min(snow, max(0.0, 2.8 * (temp[d] - 0.5)))
    snow -= melt
    soil += rain + melt
    et = pet[d] * min(1.0, soil / 120.0)
    soil = max(soil - et, 0.0)
    excess = max(0.0, soil - 150.0)
    perc = 0.045 * soil
    soil -= excess + perc
    gw += perc
    base = 0.025 * gw
    gw -= base
    q[d] = 0.7 * excess + base + 0.3 * (soil / 150.0) ** 4
q = q * rng.lognormal(0, 0.05, DAYS)

forcing = np.column_stack([np.log1p(precip), pet, temp, (temp < 0.5).astype(float)]).astype(np.float32)
logq = np.log(q + 0.05).astype(np.float32)

split = 7 * 365
f_mu, f_sd = forcing[:split].mean(0), forcing[:split].std(0)
f_mu[3], f_sd[3] = 0.0, 1.0                        # keep the snow flag as 0/1
forcing = (forcing - f_mu) / f_sd
q_mu, q_sd = logq[:split].mean(), logq[:split].std()
target = (logq - q_mu) / q_sd


inputs = np.column_stack([forcing, np.roll(target, 1)]).astype(np.float32)   # + yesterday's gauged flow


def windows(lo, hi):
    idx = np.arange(max(lo, WINDOW), hi)
    xs = np.stack([inputs[i - WINDOW + 1:i + 1] for i in idx])
    return torch.tensor(xs), torch.tensor(target[idx]).unsqueeze(1)


train_ds = TensorDataset(*windows(0, split))
val_ds = TensorDataset(*windows(split, DAYS))


class RunoffGRU(L.LightningModule):
    def __init__(self, hidden=48, lr=0.02):
        super().__init__()
        self.save_hyperparameters()
        self.gru = nn.GRU(5, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.Tanh(), nn.Linear(32, 1))
        self.loss_fn = nn.MSELoss()
        self.val_losses = []

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_mse", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_mse", self.loss_fn(self(x), y), on_epoch=True)

    def on_validation_epoch_end(self):
        self.val_losses.append(float(self.trainer.callback_metrics["val_mse"]))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9, nesterov=True)


model = RunoffGRU()
trainer = L.Trainer(
    max_epochs=8,
    accelerator="cpu",
    gradient_clip_val=1.0,
    logger=False,
    enable_checkpointing=False,
    enable_progress_bar=False,
    enable_model_summary=False,
    num_sanity_val_steps=0,
)
trainer.fit(
    model,
    DataLoader(train_ds, batch_size=64, shuffle=True),
    DataLoader(val_ds, batch_size=256),
)

model.eval()
with torch.no_grad():
    xv, yv = val_ds.tensors
    pred = model(xv)
sim = pred.squeeze(1).numpy() * q_sd + q_mu
obs = yv.squeeze(1).numpy() * q_sd + q_mu
nse = 1 - ((sim - obs) ** 2).sum() / ((obs - obs.mean()) ** 2).sum()
print("val MSE per epoch:", " ".join(f"{v:.3f}" for v in model.val_losses))
print(f"final validation NSE (log flow) {nse:.3f}")
