"""Lightning: one-step-ahead forecasting of noisy multi-frequency sine series with a GRU.
Huber loss, Adam, gradient clipping through the Trainer, ReduceLROnPlateau on val_loss."""
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore", ".*does not have many workers.*")
L.seed_everything(0, verbose=False)

WINDOW = 40


def make_series(n_series, length, rng):
    t = np.arange(length)
    out = []
    for _ in range(n_series):
        f1, f2 = rng.uniform(0.02, 0.08), rng.uniform(0.1, 0.2)
        a1, a2 = rng.uniform(0.5, 1.5), rng.uniform(0.2, 0.6)
        p1, p2 = rng.uniform(0, 2 * np.pi, size=2)
        s = a1 * np.sin(2 * np.pi * f1 * t + p1) + a2 * np.sin(2 * np.pi * f2 * t + p2)
        s += rng.normal(0, 0.1, size=length)
        out.append(s)
    return np.stack(out).astype(np.float32)


def windows(series):
    xs, ys = [], []
    for s in series:
        for start in range(0, len(s) - WINDOW - 1, 5):
            xs.append(s[start:start + WINDOW])
            ys.append(s[start + WINDOW])
    return torch.tensor(np.array(xs)).unsqueeze(-1), torch.tensor(np.array(ys)).unsqueeze(-1)


class Forecaster(L.LightningModule):
    def __init__(self, hidden=48, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.gru = nn.GRU(1, hidden, num_layers=1, batch_first=True)
        self.head = nn.Linear(hidden, 1)
        self.loss_fn = nn.HuberLoss(delta=1.0)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        pred = self(x)
        self.log("val_loss", self.loss_fn(pred, y), on_epoch=True)
        self.log("val_mse", nn.functional.mse_loss(pred, y), on_epoch=True)

    def on_validation_epoch_end(self):
        if not self.trainer.sanity_checking:
            m = self.trainer.callback_metrics
            print(f"epoch {self.current_epoch:2d} val_loss {m['val_loss']:.4f} val_mse {m['val_mse']:.4f}")

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=1)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


def main():
    rng = np.random.default_rng(0)
    X_tr, y_tr = windows(make_series(60, 200, rng))
    X_va, y_va = windows(make_series(15, 200, rng))
    train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(X_va, y_va), batch_size=256)

    model = Forecaster()
    trainer = L.Trainer(max_epochs=20, accelerator="cpu", devices=1, gradient_clip_val=1.0,
                        logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)
    res = trainer.validate(model, val_loader, verbose=False)[0]
    print(f"final val_mse {res['val_mse']:.4f} val_R2 {1 - res['val_mse'] / y_va.var().item():.4f}")


if __name__ == "__main__":
    main()
