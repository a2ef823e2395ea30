"""Hourly demand forecasting for a handful of stores with a GRU, trained with Lightning.

Synthetic series: daily + weekly seasonality, slow trend, store-level scale, noise.
Window 48 h in, 12 h out.  Series are z-scored with training statistics.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

IN_LEN, OUT_LEN = 48, 12


def make_series(n_stores=8, hours=2400, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    series = []
    for _ in range(n_stores):
        base = rng.uniform(50, 120)
        daily = rng.uniform(0.2, 0.5) * np.sin(2 * np.pi * t / 24 + rng.uniform(0, 2 * np.pi))
        weekly = rng.uniform(0.1, 0.3) * np.sin(2 * np.pi * t / 168 + rng.uniform(0, 2 * np.pi))
        trend = rng.uniform(-0.1, 0.2) * t / hours
        noise = rng.normal(0, 0.06, hours)
        series.append(base * (1 + daily + weekly + trend + noise))
    return np.stack(series).astype(np.float32)          # (stores, hours)


def windows(z, start, stop, stride=5):
    xs, ys = [], []
    for s in range(z.shape[0]):
        for i in range(start, stop - IN_LEN - OUT_LEN, stride):
            xs.append(z[s, i:i + IN_LEN]); ys.append(z[s, i + IN_LEN:i + IN_LEN + OUT_LEN])
    return torch.tensor(np.array(xs))[..., None], torch.tensor(np.array(ys))


class DemandForecaster(L.LightningModule):
    def __init__(self, hidden=64, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.gru = nn.GRU(1, hidden, num_layers=2, batch_first=True, dropout=0.1)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(),
                                  nn.Linear(hidden, OUT_LEN),
                                  nn.ReLU())            # demand is never negative

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])

    def training_step(self, batch, _):
        x, y = batch
        loss = F.mse_loss(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        pred = self(x)
        self.log("val_mse", F.mse_loss(pred, y), prog_bar=True)
        self.log("val_r2", 1 - ((pred - y) ** 2).sum() / ((y - y.mean()) ** 2).sum())

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        return {"optimizer": opt,
                "lr_scheduler": torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)}


if __name__ == "__main__":
    L.seed_everything(0, verbose=False)
    raw = make_series()
    split = 1900
    mu, sd = raw[:, :split].mean(), raw[:, :split].std()
    z = (raw - mu) / sd
    X_tr, Y_tr = windows(z, 0, split)
    X_va, Y_va = windows(z, split, raw.shape[1], stride=6)
    train_loader = DataLoader(TensorDataset(X_tr, Y_tr), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(X_va, Y_va), batch_size=256)

    model = DemandForecaster()
    trainer = L.Trainer(max_epochs=10, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)
    m = trainer.callback_metrics
    print(f"final val_mse {m['val_mse']:.4f} val_r2 {m['val_r2']:.4f}")
