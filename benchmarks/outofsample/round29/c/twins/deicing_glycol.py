"""Glycol volume per departure at the de-icing pads.

Predicts litres of Type I fluid sprayed on an aircraft from the weather at the pad and the
airframe. Trained with Lightning on synthetic pad logs (seeded).
"""
import argparse

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import lightning.pytorch as pl


def pad_logs(n, rng):
    oat = rng.uniform(-22.0, 3.0, n)                       # outside air temperature, degC
    precip = rng.gamma(1.4, 1.1, n) * (rng.random(n) < 0.7)  # mm/h water equivalent
    kind = rng.integers(0, 3, n)                           # 0 frost, 1 snow, 2 freezing rain
    wind = rng.gamma(2.0, 3.0, n)                          # m/s
    span = rng.choice([28.0, 34.0, 36.0, 47.0, 60.0, 64.0], n) + rng.normal(0, 0.4, n)
    length = span * rng.uniform(0.95, 1.15, n)
    rh = np.clip(rng.normal(82, 9, n), 40, 100)
    holdover = rng.uniform(5, 40, n)                       # planned taxi + queue, minutes

    area = 0.55 * span * length                            # sprayed surface, m^2
    cold = np.clip(3.0 - oat, 0, None)
    per_m2 = 0.9 + 0.06 * cold + 0.35 * precip * (1 + 0.8 * (kind == 2)) + 0.02 * wind
    per_m2 *= 1 + 0.01 * np.clip(holdover - 15, 0, None) + 0.004 * (rh - 80)
    litres = area * per_m2 * rng.lognormal(0.0, 0.08, n) + 60.0

    X = np.stack([oat, precip, kind == 0, kind == 1, kind == 2, wind, span, length, rh,
                  holdover], 1).astype(np.float32)
    return X, litres.astype(np.float32)


class GlycolNet(pl.LightningModule):
    def __init__(self, n_in, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, 96), nn.ReLU(), nn.Linear(96, 96), nn.ReLU(),
                                 nn.Linear(96, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.mse_loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", F.mse_loss(self(x), y), on_epoch=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
        return [opt], [sched]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=25)
    args = ap.parse_args()

    pl.seed_everything(7, verbose=False)
    rng = np.random.default_rng(7)
    X, y = pad_logs(2400, rng)
    Xtr, ytr, Xva, yva = X[:1900], y[:1900], X[1900:], y[1900:]

    cont = [0, 1, 5, 6, 7, 8, 9]                            # continuous columns; kind stays one-hot
    mu, sd = Xtr[:, cont].mean(0), Xtr[:, cont].std(0)
    Xtr[:, cont] = (Xtr[:, cont] - mu) / sd
    Xva[:, cont] = (Xva[:, cont] - mu) / sd
    y_mu, y_sd = float(ytr.mean()), float(ytr.std())

    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy((ytr - y_mu) / y_sd)),
                          batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy((yva - y_mu) / y_sd)),
                        batch_size=256)

    model = GlycolNet(X.shape[1])
    trainer = pl.Trainer(max_epochs=args.epochs, accelerator="cpu", devices=1, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(Xva)).numpy() * y_sd + y_mu
    rmse = float(np.sqrt(np.mean((pred - yva) ** 2)))
    r2 = 1 - np.mean((pred - yva) ** 2) / np.var(yva)
    print(f"target mean {ytr.mean():.0f} L, std {ytr.std():.0f} L")
    print(f"val RMSE {rmse:.1f} L  R2 {r2:.3f}")


if __name__ == "__main__":
    main()
