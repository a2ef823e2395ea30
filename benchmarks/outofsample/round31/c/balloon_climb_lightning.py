"""Predict a hot-air balloon's vertical speed 30 s ahead from the flight-deck instruments.

Rows come from 1 Hz flight logs (burner duty over the last 30 s, envelope and ambient
temperature, altitude, all-up mass, parachute-vent pulls). Target: vertical speed in m/s
(positive = climbing, negative = sinking).
"""
import argparse

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def flight_logs(n, seed):
    rng = np.random.default_rng(seed)
    burner = rng.beta(1.2, 3.0, size=n)                       # duty fraction, last 30 s
    t_amb = rng.normal(12.0, 7.0, size=n)                     # deg C
    alt = rng.uniform(50, 1500, size=n)                       # m above ground
    mass = rng.uniform(380, 650, size=n)                      # kg all-up
    vent = (rng.random(n) < 0.15) * rng.uniform(0.05, 0.6, size=n)
    t_env = 70 + 45 * burner - 60 * vent + rng.normal(0, 6, size=n)
    rho = 1.225 * np.exp(-alt / 8500) * 288 / (273 + t_amb)
    volume = 2600.0                                           # m^3 (90k cu ft envelope)
    lift = volume * rho * (1 - (273 + t_amb) / (273 + t_env)) # kg
    surplus = (lift - mass) / mass
    vz = 5.0 * np.tanh(3.0 * surplus) + rng.normal(0, 0.25, size=n)
    X = np.column_stack([burner, t_env, t_amb, alt, mass, vent]).astype(np.float32)
    return X, vz.astype(np.float32)


class ClimbRegressor(L.LightningModule):
    def __init__(self, n_in, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, 64), nn.SiLU(),
            nn.Linear(64, 64), nn.SiLU(),
            nn.Linear(64, 1),
            nn.Softplus(),
        )
        self.loss = nn.MSELoss()

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", self.loss(self(x), y), prog_bar=False)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args()
    L.seed_everything(7, verbose=False)

    X, vz = flight_logs(4000, seed=7)
    Xtr, ytr, Xva, yva = X[:3200], vz[:3200], X[3200:], vz[3200:]
    x_mu, x_sd = Xtr.mean(0), Xtr.std(0)
    y_mu, y_sd = ytr.mean(), ytr.std()
    norm = lambda a: torch.from_numpy((a - x_mu) / x_sd)
    train_dl = DataLoader(TensorDataset(norm(Xtr), torch.from_numpy((ytr - y_mu) / y_sd)),
                          batch_size=args.batch_size, shuffle=True)
    val_dl = DataLoader(TensorDataset(norm(Xva), torch.from_numpy((yva - y_mu) / y_sd)),
                        batch_size=256)

    model = ClimbRegressor(X.shape[1])
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        pred = model(norm(Xva)).numpy() * y_sd + y_mu
    rmse = float(np.sqrt(np.mean((pred - yva) ** 2)))
    r2 = 1 - np.mean((pred - yva) ** 2) / np.var(yva)
    print(f"val RMSE {rmse:.3f} m/s  R2 {r2:.3f}")


if __name__ == "__main__":
    main()
