"""Rail-track geometry: forecast next quarter's vertical settlement (mm) of each 200 m
track segment from the recording car's measurements and asset data.

Most segments settle a millimetre or two; a few (wet cuttings, failing ballast) settle a lot,
and the recording car sometimes logs spikes. Targets are heavy-tailed, so we train on a
Huber loss, scale the target robustly (median / IQR), clip gradients as routine insurance
and stop early on the validation loss.
"""
import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from lightning.pytorch.callbacks import EarlyStopping
from torch.utils.data import DataLoader, TensorDataset


def segments(n=2600, seed=17):
    rng = np.random.default_rng(seed)
    tonnage = rng.gamma(4.0, 6.0, n)                    # MGT per year
    speed = rng.choice([80.0, 100.0, 125.0, 160.0], n)
    sd_long = rng.gamma(3.0, 0.5, n)                    # longitudinal level std, mm
    twist = rng.gamma(2.0, 0.6, n)
    ballast_age = rng.uniform(0, 40, n)
    drainage = rng.uniform(0, 1, n)                     # 1 = good
    rain = rng.gamma(5.0, 40.0, n)                      # mm last quarter
    last_tamp = rng.uniform(0, 8, n)                    # years since tamping
    subgrade_soft = (rng.random(n) < 0.12).astype(float)

    base = (0.03 * tonnage + 0.004 * speed + 0.35 * sd_long + 0.2 * twist + 0.02 * ballast_age
            + 0.12 * last_tamp)
    wet = (1 - drainage) * rain / 200.0 * (1 + 2.5 * subgrade_soft)
    settle = base + 1.5 * wet + 0.6 * rng.standard_t(2.5, n)
    X = np.column_stack([tonnage, speed, sd_long, twist, ballast_age, drainage, rain, last_tamp,
                         subgrade_soft]).astype(np.float32)
    return X, settle.astype(np.float32)


class SettlementModel(L.LightningModule):
    def __init__(self, n_in, lr=2e-3, delta=1.0):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, 64), nn.GELU(), nn.Linear(64, 64), nn.GELU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.huber_loss(self(x), y, delta=self.hparams.delta)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        pred = self(x)
        self.log("val_loss", F.huber_loss(pred, y, delta=self.hparams.delta), prog_bar=True)
        self.log("val_mae_scaled", (pred - y).abs().mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-3)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=60)
        return {"optimizer": opt, "lr_scheduler": sched}


def main():
    L.seed_everything(0, verbose=False)
    X, y = segments()
    n_tr = 2000
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    subgrade = X[:, -1:].copy()
    X = np.concatenate([(X[:, :-1] - mu[:-1]) / sd[:-1], subgrade], axis=1)   # flag stays 0/1
    med = np.median(y[:n_tr])
    iqr = np.subtract(*np.percentile(y[:n_tr], [75, 25]))
    ys = ((y - med) / iqr).astype(np.float32)

    Xt, yt = torch.from_numpy(X), torch.from_numpy(ys)
    train_loader = DataLoader(TensorDataset(Xt[:n_tr], yt[:n_tr]), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xt[n_tr:], yt[n_tr:]), batch_size=600)

    model = SettlementModel(X.shape[1])
    trainer = L.Trainer(max_epochs=60, gradient_clip_val=1.0, accelerator="cpu", devices=1,
                        callbacks=[EarlyStopping("val_loss", patience=8, mode="min")],
                        enable_checkpointing=False, logger=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)

    model.eval()
    with torch.no_grad():
        pred_mm = model(Xt[n_tr:]).numpy() * iqr + med
    y_va = y[n_tr:]
    mae = np.abs(pred_mm - y_va).mean()
    mae_const = np.abs(np.median(y[:n_tr]) - y_va).mean()
    print(f"stopped at epoch {trainer.current_epoch}")
    print(f"final val_mae_mm {mae:.4f} (median predictor {mae_const:.4f})")


if __name__ == "__main__":
    main()
