"""Kayak rental desk: predict how long a rented boat stays out (minutes) at check-out time, so
the desk can promise boats to the queue. Most trips are an hour or two; a few groups paddle
the whole day, so the target has a long right tail: Huber loss on log-minutes."""
import math

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

BOATS = ["single_sit_on_top", "single_touring", "tandem", "sup_board", "canoe_3"]


def rental_log(n, seed=21):
    rng = np.random.default_rng(seed)
    boat = rng.choice(len(BOATS), n, p=[0.3, 0.15, 0.3, 0.15, 0.1])
    hour = rng.uniform(9, 17, n)
    temp = rng.normal(24, 4, n)
    wind = rng.gamma(2.0, 2.2, n)
    group = rng.integers(1, 7, n).astype(float)
    weekend = (rng.random(n) < 0.35).astype(float)
    base = np.array([70.0, 110.0, 95.0, 55.0, 130.0])[boat]
    log_mu = np.log(base) + 0.03 * (temp - 24) - 0.05 * np.clip(wind - 4, 0, None) \
        - 0.09 * np.clip(hour - 14, 0, None) + 0.12 * weekend + 0.05 * (group - 2) \
        - 0.15 * np.clip(wind - 3, 0, None) * (boat == 3) + 0.25 * (boat == 4) * (group >= 3)
    minutes = np.exp(log_mu + 0.25 * rng.standard_t(3, n))
    day_trip = rng.random(n) < 0.03
    minutes[day_trip] = rng.uniform(300, 480, day_trip.sum())
    cont = np.stack([hour, temp, wind, group, weekend], 1)
    onehot = np.eye(len(BOATS))[boat]
    return cont.astype(np.float32), onehot.astype(np.float32), minutes.astype(np.float32)


class TripModel(L.LightningModule):
    def __init__(self, d_in, lr=3e-3, warmup=60, total_steps=1000):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(d_in, 64), nn.GELU(), nn.Linear(64, 64), nn.GELU(), nn.Linear(64, 1))
        self.loss = nn.HuberLoss(delta=1.0)

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", self.loss(self(x), y), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-3)
        w, T = self.hparams.warmup, self.hparams.total_steps

        def lr_lambda(step):
            if step < w:
                return (step + 1) / w
            return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - w) / max(1, T - w))))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def main():
    L.seed_everything(21, verbose=False)
    cont, onehot, minutes = rental_log(5000)
    n_tr = 4000
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    X = np.concatenate([(cont - mu) / sd, onehot], 1)   # boat type stays one-hot
    logm = np.log(minutes)
    c, s = np.median(logm[:n_tr]), logm[:n_tr].std()
    t = (logm - c) / s

    train = TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(t[:n_tr]))
    val = TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(t[n_tr:]))
    train_loader = DataLoader(train, batch_size=64, shuffle=True)
    val_loader = DataLoader(val, batch_size=500)

    epochs = 12
    model = TripModel(X.shape[1], total_steps=epochs * len(train_loader))
    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)

    model.eval()
    with torch.no_grad():
        pred_min = torch.exp(model(torch.from_numpy(X[n_tr:])) * s + c).numpy()
    true_min = minutes[n_tr:]
    mae = np.abs(pred_min - true_min).mean()
    mae_median = np.abs(np.median(minutes[:n_tr]) - true_min).mean()
    print(f"val MAE {mae:.1f} min (median-of-train baseline {mae_median:.1f} min)")


if __name__ == "__main__":
    main()
