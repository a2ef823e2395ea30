"""Predict the price discount (points/lb) of cotton bales from HVI classing data.

Lightning regression on the classing office's instrument readings; validation on a
held-out set of gins.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning.pytorch as pl
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import r2_score

pl.seed_everything(7, verbose=False)
rng = np.random.default_rng(7)

N_GINS = 60
n = 3600
gin = rng.integers(0, N_GINS, n)
gin_effect = rng.normal(0, 0.3, N_GINS)[gin]

micronaire = rng.normal(4.3, 0.45, n) + 0.2 * gin_effect        # units
length_in = rng.normal(1.12, 0.04, n)                           # upper half mean length, inches
uniformity = rng.normal(81.5, 1.6, n)                           # %
strength = rng.normal(29.5, 2.4, n)                             # g/tex
elongation = rng.normal(6.8, 0.9, n)                            # %
rd = rng.normal(76.0, 3.0, n)                                   # reflectance
plus_b = rng.normal(8.4, 0.9, n)                                # yellowness
trash_frac = np.clip(rng.gamma(2.0, 0.0018, n), 0, None)        # fraction of surface area
sfc_frac = np.clip(rng.normal(0.085, 0.012, n), 0.03, None)     # short fibre content (fraction)
moisture_frac = np.clip(rng.normal(0.065, 0.008, n), 0.03, None)

X = np.stack([micronaire, length_in, uniformity, strength, elongation, rd, plus_b,
              trash_frac, sfc_frac, moisture_frac], 1)

mic_pen = 6.0 * np.clip(np.abs(micronaire - 4.2) - 0.7, 0, None) ** 1.0
discount = (mic_pen
            + 40.0 * np.clip(1.10 - length_in, 0, None)
            + 0.5 * np.clip(80.0 - uniformity, 0, None)
            + 0.25 * np.clip(28.0 - strength, 0, None)
            + 0.35 * np.clip(75.0 - rd, 0, None) + 0.3 * np.clip(plus_b - 9.0, 0, None)
            + 900.0 * trash_frac
            + 160.0 * np.clip(sfc_frac - 0.08, 0, None)
            + 120.0 * np.clip(moisture_frac - 0.07, 0, None)
            + gin_effect + rng.normal(0, 0.4, n))
y = discount.astype(np.float32)

val_gins = np.arange(N_GINS) % 5 == 0
is_val = val_gins[gin]
Xtr, Xva, ytr, yva = X[~is_val], X[is_val], y[~is_val], y[is_val]

scaler = StandardScaler(with_std=False).fit(Xtr)
Xtr = scaler.transform(Xtr).astype(np.float32)
Xva = scaler.transform(Xva).astype(np.float32)
y_mu, y_sd = ytr.mean(), ytr.std()


class DiscountNet(pl.LightningModule):
    def __init__(self, d_in, hidden=64, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, _):
        x, t = batch
        loss = nn.functional.mse_loss(self(x), t)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, _):
        x, t = batch
        self.log("val_loss", nn.functional.mse_loss(self(x), t), prog_bar=False)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def loader(Xa, ya, shuffle):
    t = torch.from_numpy((ya - y_mu) / y_sd)
    return DataLoader(TensorDataset(torch.from_numpy(Xa), t), batch_size=64, shuffle=shuffle)


model = DiscountNet(Xtr.shape[1])
trainer = pl.Trainer(max_epochs=25, logger=False, enable_checkpointing=False,
                     enable_progress_bar=False, enable_model_summary=False, accelerator="cpu")
trainer.fit(model, loader(Xtr, ytr, True), loader(Xva, yva, False))

model.eval()
with torch.no_grad():
    pred = model(torch.from_numpy(Xva)).numpy() * y_sd + y_mu
print(f"val R2 {r2_score(yva, pred):.4f}  val MAE {np.abs(pred - yva).mean():.3f} points")
