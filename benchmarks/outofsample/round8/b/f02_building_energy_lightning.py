"""Daily energy use (kWh) of office buildings from weather and occupancy features.
Lightning MLP regressor; reports R^2 and MAE on a held-out set of buildings-days."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(7, verbose=False)


def make_buildings(n=3000, seed=7):
    rng = np.random.default_rng(seed)
    temp = rng.normal(12, 9, n)                      # outdoor mean temperature, degC
    doy = rng.integers(0, 365, n)
    occupancy = rng.beta(4, 2, n)                    # share of desks in use
    area = rng.lognormal(8.0, 0.35, n)               # floor area m^2
    age = rng.uniform(0, 60, n)                      # building age, years
    weekend = (rng.random(n) < 2 / 7).astype(float)
    heating = np.maximum(0, 16 - temp) ** 1.3 * (1 + age / 80)
    cooling = np.maximum(0, temp - 21) ** 1.5
    kwh = (area * (0.9 + 1.4 * occupancy * (1 - 0.7 * weekend))
           + 55 * heating + 70 * cooling + rng.normal(0, 250, n))
    feats = np.column_stack([temp, np.sin(2 * np.pi * doy / 365), np.cos(2 * np.pi * doy / 365),
                             occupancy, np.log(area), age, weekend])
    return feats.astype(np.float32), kwh.astype(np.float32)


X, y = make_buildings()
X_tr, X_va, y_tr, y_va = X[:2400], X[2400:], y[:2400], y[2400:]
x_mu, x_sd = X_tr.mean(0), X_tr.std(0)
X_tr, X_va = (X_tr - x_mu) / x_sd, (X_va - x_mu) / x_sd
y_mu, y_sd = 0.0, 1.0                                # targets in kWh as logged


class EnergyRegressor(L.LightningModule):
    def __init__(self, n_in):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, 128), nn.SiLU(), nn.Linear(128, 64), nn.SiLU(),
                                 nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, _):
        x, t = batch
        loss = nn.functional.mse_loss(self(x), t)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, _):
        x, t = batch
        self.log("val_loss", nn.functional.mse_loss(self(x), t), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-3)


train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy((y_tr - y_mu) / y_sd)),
                      batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy((y_va - y_mu) / y_sd)),
                    batch_size=256)
model = EnergyRegressor(X.shape[1])
trainer = L.Trainer(max_epochs=15, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)

model.eval()
with torch.no_grad():
    pred = model(torch.from_numpy(X_va)).numpy() * y_sd + y_mu
r2 = 1 - ((pred - y_va) ** 2).sum() / ((y_va - y_va.mean()) ** 2).sum()
mae = np.abs(pred - y_va).mean()
print(f"target mean {y_tr.mean():.0f} kWh, std {y_tr.std():.0f}")
print(f"final val R2 {r2:.4f}  MAE {mae:.1f} kWh")
