"""Next-3-hours PM2.5 nowcast from one week of hourly station data (GRU, Lightning).

Each sample is a 168-hour window of [log PM2.5, temperature, relative humidity, wind u/v,
boundary-layer proxy, hour-of-day sin/cos]. Stations are split whole between train and
validation so no hour of a validation station is seen in training. Gradient-norm clipping
is routine insurance for the long recurrence; the LR follows a cosine decay per epoch.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

WINDOW, HORIZON = 168, 3


def simulate_station(hours, rng):
    t = np.arange(hours)
    hod = t % 24
    temp = 12 + 8 * np.sin(2 * np.pi * (t / 24 - 0.3)) + np.cumsum(rng.normal(0, 0.15, hours)) * 0.3
    rh = np.clip(65 - 1.2 * (temp - 12) + rng.normal(0, 6, hours), 15, 100)
    regime = np.zeros(hours)
    for i in range(1, hours):
        regime[i] = 0.995 * regime[i - 1] + rng.normal(0, 0.1)
    wind_speed = np.abs(3 + 2 * regime + rng.normal(0, 0.8, hours))
    wind_dir = np.cumsum(rng.normal(0, 0.05, hours))
    u, v = wind_speed * np.cos(wind_dir), wind_speed * np.sin(wind_dir)
    blh = 300 + 900 * np.clip(np.sin(np.pi * (hod - 6) / 12), 0, None) + 40 * wind_speed
    traffic = np.exp(-((hod - 8) / 2.0) ** 2) + 0.8 * np.exp(-((hod - 18) / 2.5) ** 2)
    logpm = np.zeros(hours)
    logpm[0] = 3.0
    for i in range(1, hours):
        source = 0.06 * (3.4 + 0.8 * traffic[i] + 0.01 * (rh[i] - 60))
        sink = 0.05 * (wind_speed[i] / 3 + blh[i] / 800) * (logpm[i - 1] - 1.0)
        logpm[i] = 0.94 * logpm[i - 1] + source - sink + rng.normal(0, 0.06)
    logpm = logpm + 1.9 + 0.3 * regime
    x = np.stack([logpm, temp, rh, u, v, np.log(blh), np.sin(2 * np.pi * hod / 24),
                  np.cos(2 * np.pi * hod / 24)], 1)
    return x.astype(np.float32)


def windows(series, stride, rng):
    starts = np.arange(0, len(series) - WINDOW - HORIZON, stride)
    xs = np.stack([series[s:s + WINDOW] for s in starts])
    ys = np.stack([series[s + WINDOW:s + WINDOW + HORIZON, 0].mean() for s in starts])
    return xs, ys.astype(np.float32)


class NowcastGRU(L.LightningModule):
    def __init__(self, n_feat, hidden=48, lr=3e-3, max_epochs=8):
        super().__init__()
        self.save_hyperparameters()
        self.gru = nn.GRU(n_feat, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))
        self.loss = nn.MSELoss()

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1]).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_mse", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_mse", self.loss(self(x), y), on_epoch=True, prog_bar=False)

    def on_train_epoch_end(self):
        m = self.trainer.callback_metrics
        print(f"epoch {self.current_epoch + 1}  train mse {m['train_mse'].item():.4f}  "
              f"val mse {m['val_mse'].item():.4f}")

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.max_epochs, eta_min=1e-4)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


def main():
    L.seed_everything(5, verbose=False)
    rng = np.random.default_rng(5)
    stations = [simulate_station(24 * 90, rng) for _ in range(10)]
    train_st, val_st = stations[:8], stations[8:]
    feat_mu = np.concatenate(train_st).mean(0)
    feat_sd = np.concatenate(train_st).std(0)

    def build(sts, stride):
        xs, ys = zip(*(windows(s, stride, rng) for s in sts))
        x = (np.concatenate(xs) - feat_mu) / feat_sd
        y = (np.concatenate(ys) - feat_mu[0]) / feat_sd[0]
        return torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.float32))

    xtr, ytr = build(train_st, stride=9)
    xva, yva = build(val_st, stride=12)
    print(f"{len(xtr)} train windows from {len(train_st)} stations, {len(xva)} val windows from {len(val_st)}")
    train_loader = DataLoader(TensorDataset(xtr, ytr), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(xva, yva), batch_size=256)

    epochs = 8
    model = NowcastGRU(xtr.shape[-1], max_epochs=epochs)
    trainer = L.Trainer(max_epochs=epochs, gradient_clip_val=1.0, accelerator="cpu", devices=1,
                        logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, deterministic=True)
    trainer.fit(model, train_loader, val_loader)

    model.eval()
    with torch.no_grad():
        pred = model(xva) * feat_sd[0] + feat_mu[0]
    truth = yva * feat_sd[0] + feat_mu[0]
    last = xva[:, -1, 0] * feat_sd[0] + feat_mu[0]
    to_ug = lambda a: torch.exp(a)
    rmse = torch.sqrt(((to_ug(pred) - to_ug(truth)) ** 2).mean()).item()
    rmse_persist = torch.sqrt(((to_ug(last) - to_ug(truth)) ** 2).mean()).item()
    print(f"val RMSE {rmse:.2f} ug/m3 (persistence {rmse_persist:.2f} ug/m3), "
          f"val MSE (scaled log) {trainer.callback_metrics['val_mse'].item():.4f}")


if __name__ == "__main__":
    main()
