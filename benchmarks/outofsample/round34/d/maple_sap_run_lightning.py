"""Maple sugarbush: predict tomorrow's sap run class from today's tap-line logger.

Each row is one tap-line day: 24 hourly air temperatures (K, from the logger's thermistor
export) and 24 hourly absolute line pressures (kPa, vacuum pump side). Sap flows when a
frozen night is followed by a thaw under good vacuum. Classes: no run / light run / heavy run.
LightningModule + Trainer, AdamW, 1-cycle schedule.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(2024, verbose=False)
rng = np.random.default_rng(2024)

HOURS = np.arange(24)


def logger_days(n):
    mean_t = rng.normal(274.0, 4.0, n)[:, None]                  # daily mean air temp (K)
    swing = rng.uniform(2.0, 9.0, n)[:, None]                    # diurnal amplitude
    temp = mean_t - swing * np.cos(2 * np.pi * (HOURS - 3) / 24) + rng.normal(0, 0.8, (n, 24))
    pump = rng.normal(82.0, 5.0, n)[:, None]                     # line pressure set by pump health
    leak = rng.uniform(0, 6, n)[:, None] * (HOURS / 23.0)        # leaks open up over the day
    press = pump + leak + rng.normal(0, 1.0, (n, 24))
    froze = (temp[:, :8] < 273.15).mean(1)
    thaw = np.clip(temp[:, 10:18] - 273.15, 0, None).mean(1)
    vac = 101.3 - press.mean(1)                                  # vacuum depth
    score = 2.2 * froze * np.tanh(thaw / 2.0) * (0.4 + vac / 25.0) + rng.normal(0, 0.12, n)
    y = np.digitize(score, [1.0, 2.1])
    return np.concatenate([temp, press], 1).astype(np.float32), y


X, y = logger_days(3000)
n_tr = 2400
X_tr, y_tr, X_va, y_va = X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:]
print("class shares", np.bincount(y_tr) / n_tr)

train_loader = DataLoader(TensorDataset(torch.tensor(X_tr), torch.tensor(y_tr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.tensor(X_va), torch.tensor(y_va)), batch_size=600)


class SapRunNet(L.LightningModule):
    def __init__(self, n_in=48, hidden=128, n_cls=3, lr=3e-3, epochs=12, steps_per_epoch=38):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, n_cls),
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", nn.functional.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-2)
        sched = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=self.hparams.lr, epochs=self.hparams.epochs, steps_per_epoch=self.hparams.steps_per_epoch)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


model = SapRunNet(epochs=12, steps_per_epoch=len(train_loader))
trainer = L.Trainer(max_epochs=12, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_loader, val_loader)
m = trainer.callback_metrics
print(f"final val loss {m['val_loss']:.4f}  val accuracy {m['val_acc']:.4f}")
