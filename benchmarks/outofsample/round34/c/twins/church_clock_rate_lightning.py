"""Church-clock winding rounds: predict a turret clock's daily rate error (s/day).

Volunteers log each tower clock at winding: tower temperature and its change since the
last visit, humidity, days since winding, weight drop left, pendulum arc, oil age,
wind at the louvres, strikes per day. We want the expected rate error so the round can
be planned (who needs a nudge of the regulating nut this week).
"""
import numpy as np
import torch
import lightning.pytorch as pl
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FEATURES = ["temp_c", "dtemp_c", "humidity", "days_since_wind", "drop_left_m",
            "arc_deg", "oil_age_months", "louvre_wind", "strikes_per_day"]


def winding_log(n, rng):
    temp = rng.normal(12, 6, n)
    dtemp = rng.normal(0, 3, n)
    hum = rng.uniform(40, 95, n)
    days = rng.integers(1, 8, n).astype(float)
    drop = rng.uniform(0.5, 9, n)
    arc = rng.normal(4.0, 0.6, n) - 0.05 * days
    oil = rng.uniform(0, 36, n)
    wind = rng.gamma(2.0, 3.0, n)
    strikes = rng.choice([0, 156, 180, 312], n).astype(float)
    rate = (0.45 * (temp - 18)                      # pendulum rod expansion
            + 2.2 * (arc - 4.0) ** 2 * np.sign(arc - 4.0)   # circular error
            + 0.004 * oil * (hum - 60)              # oil thickening in damp towers
            - 0.9 * np.tanh(drop - 1.5)             # weight near the floor
            + 0.15 * wind * np.sin(0.3 * dtemp)
            + 0.006 * strikes * (days > 5)
            + rng.normal(0, 0.8, n))
    X = np.stack([temp, dtemp, hum, days, drop, arc, oil, wind, strikes], 1)
    return X.astype(np.float32), rate.astype(np.float32)


class RateModel(pl.LightningModule):
    def __init__(self, n_in, lr=2e-3, y_std=1.0):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
        self.loss = nn.MSELoss()

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        pred = self(x)
        self.log("val_loss", self.loss(pred, y))
        self.log("val_rmse_s_per_day", torch.sqrt(((pred - y) ** 2).mean()) * self.hparams.y_std)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)


def main():
    pl.seed_everything(21, workers=True)
    rng = np.random.default_rng(21)
    X, y = winding_log(3000, rng)
    Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    y_mu, y_sd = ytr.mean(), ytr.std()
    norm = lambda a: torch.tensor((a - mu) / sd)
    train_dl = DataLoader(TensorDataset(norm(Xtr), torch.tensor((ytr - y_mu) / y_sd)), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(norm(Xva), torch.tensor((yva - y_mu) / y_sd)), batch_size=256)

    model = RateModel(len(FEATURES), lr=2e-3, y_std=float(y_sd))
    trainer = pl.Trainer(max_epochs=25, accelerator="cpu", devices=1, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    model.eval()
    with torch.no_grad():
        pred = model(norm(Xva)).numpy() * y_sd + y_mu
    rmse = float(np.sqrt(np.mean((pred - yva) ** 2)))
    print(f"steps {trainer.global_step}  FINAL val_rmse {rmse:.3f} s/day "
          f"(val_loss {(rmse / y_sd) ** 2:.4f}, target std {y_sd:.3f})")


if __name__ == "__main__":
    main()
