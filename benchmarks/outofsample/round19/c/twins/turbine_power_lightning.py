"""Wind-turbine SCADA: predict 10-min mean active power from met-mast and nacelle signals."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

RATED_KW = 2050.0


def scada_frame(n, rng):
    ws = rng.weibull(2.1, n) * 8.5                             # hub-height wind speed, m/s
    wd = rng.uniform(0, 360, n)
    yaw_err = rng.normal(0, 6, n)
    temp = rng.normal(11, 8, n)
    pressure = rng.normal(1012, 9, n)
    rho = pressure * 100 / (287.05 * (temp + 273.15))
    ti = np.clip(rng.lognormal(np.log(0.11), 0.35, n), 0.03, 0.4)
    ws_eff = ws * np.cos(np.deg2rad(yaw_err)) ** (1 / 3)
    # wake from a neighbour turbine in the 200-240 degree sector
    wake = 1 - 0.18 * np.exp(-0.5 * ((wd - 220) / 12) ** 2)
    v = ws_eff * wake
    cp_curve = 1 / (1 + np.exp(-(v - 8.2) / 1.35))
    power = RATED_KW * cp_curve * (rho / 1.225) ** 0.8 * (1 - 0.6 * ti * (v > 9) * (v < 13))
    power = np.where(v < 3.0, 0.0, power)
    power = np.where(v > 25.0, 0.0, power)
    power = power + rng.normal(0, 25, n)
    rpm = np.clip(6 + 1.25 * v, 6, 16.5) + rng.normal(0, 0.2, n)
    pitch = np.where(v > 11.5, 2.2 * (v - 11.5), 0.0) + rng.normal(0, 0.3, n)
    X = np.column_stack([ws, np.sin(np.deg2rad(wd)), np.cos(np.deg2rad(wd)), yaw_err,
                         temp, rho, ti, rpm, pitch]).astype(np.float32)
    return X, power.astype(np.float32)


class PowerCurveModel(L.LightningModule):
    def __init__(self, n_in, width=64, depth=4, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        layers = [nn.Linear(n_in, width), nn.ReLU()]
        for _ in range(depth - 1):
            layers += [nn.Linear(width, width), nn.ReLU()]
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.mse_loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", F.mse_loss(self(x), y), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(3, verbose=False)
    rng = np.random.default_rng(3)
    X, p = scada_frame(9000, rng)
    n_tr = 7200
    x_mu, x_sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    p_mu, p_sd = p[:n_tr].mean(), p[:n_tr].std()
    Xs = torch.from_numpy((X - x_mu) / x_sd)
    ys = torch.from_numpy((p - p_mu) / p_sd)
    train_loader = DataLoader(TensorDataset(Xs[:n_tr], ys[:n_tr]), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xs[n_tr:], ys[n_tr:]), batch_size=256)

    model = PowerCurveModel(Xs.shape[1])
    trainer = L.Trainer(max_epochs=12, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)

    model.eval()
    with torch.no_grad():
        pred = model(Xs[n_tr:]) * p_sd + p_mu
    true = torch.from_numpy(p[n_tr:])
    rmse = (pred - true).pow(2).mean().sqrt().item()
    r2 = 1 - (pred - true).pow(2).mean().item() / true.var(unbiased=False).item()
    print(f"val RMSE {rmse:.1f} kW  ({100 * rmse / RATED_KW:.2f}% of rated), R2 {r2:.4f}")


if __name__ == "__main__":
    main()
