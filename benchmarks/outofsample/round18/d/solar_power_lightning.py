"""Hourly AC output of a 250 kW rooftop PV plant from weather-station readings.

Small site, one season of daylight hours (~800 rows). Lightning module, MSE on standardised
output, reported back in kW.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

CAPACITY_KW = 250.0


def make_site_data(n=800, seed=3):
    rng = np.random.default_rng(seed)
    doy = rng.integers(60, 250, n)
    hour = rng.uniform(6.5, 19.5, n)
    decl = 23.44 * np.sin(np.radians(360 * (284 + doy) / 365))
    lat = 47.0
    ha = 15.0 * (hour - 13.0)
    cos_z = (np.sin(np.radians(lat)) * np.sin(np.radians(decl))
             + np.cos(np.radians(lat)) * np.cos(np.radians(decl)) * np.cos(np.radians(ha)))
    cos_z = np.clip(cos_z, 0.02, None)
    clear_ghi = 1050 * cos_z ** 1.15
    cloud = np.clip(rng.beta(0.8, 1.4, n), 0, 1)
    ghi = clear_ghi * (1 - 0.75 * cloud ** 2.5) * rng.lognormal(0, 0.05, n)
    t_air = 8 + 14 * np.sin(np.pi * (doy - 60) / 190) + 6 * np.sin(np.pi * (hour - 7) / 14) + rng.normal(0, 2, n)
    wind = rng.gamma(2.0, 1.6, n)
    t_cell = t_air + ghi / 800 * (45 - 20) / (1 + 0.1 * wind)
    dc = CAPACITY_KW * 1.15 * ghi / 1000 * (1 - 0.0037 * (t_cell - 25))
    ac = np.minimum(dc * 0.965, CAPACITY_KW) + rng.normal(0, 3, n)
    ac = np.clip(ac, 0, None)
    X = np.column_stack([ghi, cloud, t_air, wind, np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                         np.sin(2 * np.pi * doy / 365), np.cos(2 * np.pi * doy / 365)]).astype(np.float32)
    return X, ac.astype(np.float32)


class PVRegressor(L.LightningModule):
    def __init__(self, n_in, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
        self.loss_fn = nn.MSELoss()

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", self.loss_fn(self(x), y), prog_bar=False)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(11, verbose=False)
    X, y = make_site_data()
    n_tr = 600
    x_mu, x_sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
    Xs = torch.from_numpy((X - x_mu) / x_sd)
    ys = torch.from_numpy((y - y_mu) / y_sd)

    train_dl = DataLoader(TensorDataset(Xs[:n_tr], ys[:n_tr]), batch_size=512, shuffle=True)
    val_dl = DataLoader(TensorDataset(Xs[n_tr:], ys[n_tr:]), batch_size=256)

    model = PVRegressor(X.shape[1])
    trainer = L.Trainer(max_epochs=40, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        pred = model(Xs[n_tr:]).numpy() * y_sd + y_mu
    truth = y[n_tr:]
    rmse = float(np.sqrt(np.mean((pred - truth) ** 2)))
    r2 = 1 - np.sum((pred - truth) ** 2) / np.sum((truth - truth.mean()) ** 2)
    print(f"val RMSE {rmse:.2f} kW  R2 {r2:.4f}")


if __name__ == "__main__":
    main()
