"""Next-day streamflow from the last 60 days of forcing (rainfall-runoff), PyTorch Lightning.

Forcings per day: precipitation, mean temperature, potential evapotranspiration, day-of-year
sin/cos. Discharge is simulated with a bucket model: snow store with a degree-day melt, a soil
store with a field-capacity threshold, fast and slow linear reservoirs. GRU encoder + MLP head,
trained on standardised log-discharge, scored by Nash-Sutcliffe efficiency on a later period.
The encoder can start from a model trained on another catchment (--init-from).
"""
import argparse
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
WINDOW = 60


def simulate(n_days, rng):
    doy = np.arange(n_days) % 365
    temp = 8 - 12 * np.cos(2 * np.pi * (doy - 15) / 365) + rng.normal(0, 3, n_days)
    wet = rng.random(n_days) < 0.3 + 0.1 * np.sin(2 * np.pi * doy / 365)
    precip = wet * rng.gamma(0.8, 9.0, n_days)
    pet = np.clip(0.4 * (temp + 5), 0, None) * (1 + 0.3 * np.sin(2 * np.pi * (doy - 80) / 365))
    snow = soil = fast = slow = 0.0
    q = np.zeros(n_days)
    for t in range(n_days):
        if temp[t] < 0:
            snow += precip[t]
            rain = 0.0
        else:
            rain = precip[t]
        melt = min(snow, 3.0 * max(temp[t], 0))
        snow -= melt
        soil += rain + melt
        et = pet[t] * min(soil / 100, 1)
        soil -= et
        excess = max(soil - 100, 0)
        soil -= excess
        perc = 0.02 * soil
        soil -= perc
        fast += excess
        slow += perc
        qf, qs = 0.3 * fast, 0.02 * slow
        fast -= qf
        slow -= qs
        q[t] = qf + qs
    feats = np.stack([precip, temp, pet, np.sin(2 * np.pi * doy / 365), np.cos(2 * np.pi * doy / 365)], 1)
    return feats.astype(np.float32), np.log1p(q).astype(np.float32)


def windows(feats, logq, start, stop):
    idx = np.arange(max(start, WINDOW), stop)
    x = np.stack([feats[i - WINDOW + 1:i + 1] for i in idx])
    return x, logq[idx][:, None]


class RunoffModel(L.LightningModule):
    def __init__(self, n_in=5, hidden=32, lr=3e-3, encoder_lr=3e-3, weight_decay=1e-5):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))
        self.loss_fn = nn.MSELoss()

    def forward(self, x):
        out, _ = self.encoder(x)
        return self.head(out[:, -1])

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", self.loss_fn(self(x), y), prog_bar=True)

    def configure_optimizers(self):
        optimizer = torch.optim.Adam([
            {"params": self.encoder.parameters(), "lr": self.hparams.encoder_lr},
            {"params": self.head.parameters()},
        ], lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=self.trainer.max_epochs)
        return {"optimizer": optimizer, "lr_scheduler": scheduler}


def nse(sim, obs):
    return 1 - ((sim - obs) ** 2).sum() / ((obs - obs.mean()) ** 2).sum()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--init-from", default=None, help="encoder state_dict from another catchment")
    args = parser.parse_args()

    L.seed_everything(11, verbose=False)
    rng = np.random.default_rng(11)
    feats, logq = simulate(365 * 9, rng)
    n_train, n_val = 365 * 6, 365 * 7
    f_mu, f_sd = feats[:n_train].mean(0), feats[:n_train].std(0)
    q_mu, q_sd = logq[:n_train].mean(), logq[:n_train].std()
    feats_n, logq_n = (feats - f_mu) / f_sd, (logq - q_mu) / q_sd

    x_tr, y_tr = windows(feats_n, logq_n, 0, n_train)
    x_va, y_va = windows(feats_n, logq_n, n_train, n_val)
    x_te, y_te = windows(feats_n, logq_n, n_val, len(feats))
    train_dl = DataLoader(TensorDataset(torch.from_numpy(x_tr), torch.from_numpy(y_tr)), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(x_va), torch.from_numpy(y_va)), batch_size=256)

    model = RunoffModel()
    if args.init_from:
        model.encoder.load_state_dict(torch.load(args.init_from))
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, gradient_clip_val=5.0)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(x_te)).numpy()[:, 0] * q_sd + q_mu
    obs = y_te[:, 0] * q_sd + q_mu
    print(f"val loss {trainer.callback_metrics['val_loss'].item():.4f}")
    print(f"test NSE (discharge) {nse(np.expm1(pred), np.expm1(obs)):.4f}  NSE (log) {nse(pred, obs):.4f}")


if __name__ == "__main__":
    main()
