"""Juice yield of a rack-and-cloth cider press from the first minutes of a pressing (farm cidery).

Each pressing logs 48 steps (every 15 s) of hydraulic pressure, juice collected so far
(tank level, L/100 kg) and pomace temperature. Target: final yield in litres per 100 kg of apples, known only at the end of
the 25-minute cycle. A two-layer LSTM (inter-layer dropout, forget-gate bias 1) in Lightning, targets
standardised with training statistics, early stopping on validation loss.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(8, verbose=False)
rng = np.random.default_rng(8)
T = 48


def pressings(m):
    ripeness = rng.uniform(0, 1, m)             # starch-iodine index, scaled
    mill_fine = rng.uniform(0, 1, m)            # grind fineness
    variety_juicy = rng.normal(0, 1, m)
    t = np.arange(T)[None, :] / T
    ramp = rng.uniform(3, 6, m)[:, None]
    true_pressure = np.clip(ramp * t * 1.8, 0, 1) * rng.uniform(8, 12, m)[:, None]
    pressure = true_pressure + rng.normal(0, 0.2, (m, T))       # transducer noise
    potential = 70 + 4 * variety_juicy - 6 * (ripeness - 0.5) ** 2 * 4 + 5 * mill_fine
    rate = (0.6 + 0.8 * mill_fine - 0.4 * ripeness)[:, None]
    cum = potential[:, None] * (1 - np.exp(-rate * true_pressure * t * 0.6))
    collected = cum + rng.normal(0, 0.3, (m, T))                # juice tank level sensor
    temp = 12 + rng.normal(0, 2, m)[:, None] + 1.5 * t + rng.normal(0, 0.1, (m, T))
    y = potential * (1 - np.exp(-rate[:, 0] * 0.6 * 10 * 3.0)) + rng.normal(0, 0.8, m)
    X = np.stack([pressure, collected, temp], -1).astype(np.float32)
    return X, y.astype(np.float32)


Xtr, ytr = pressings(1500)
Xva, yva = pressings(400)
xm, xs = Xtr.reshape(-1, 3).mean(0), Xtr.reshape(-1, 3).std(0)
ym, ys = ytr.mean(), ytr.std()
norm = lambda X: (X - xm) / xs
train_dl = DataLoader(TensorDataset(torch.from_numpy(norm(Xtr)), torch.from_numpy((ytr - ym) / ys)),
                      batch_size=32, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(norm(Xva)), torch.from_numpy((yva - ym) / ys)), batch_size=200)


class PressYield(L.LightningModule):
    def __init__(self, hidden=48, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.lstm = nn.LSTM(3, hidden, num_layers=2, batch_first=True, dropout=0.2)
        for name, p in self.lstm.named_parameters():       # forget-gate bias 1 (Jozefowicz et al. 2015)
            if name.startswith("bias_ih"):
                with torch.no_grad():
                    p[hidden:2 * hidden].fill_(1.0)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))
        self.loss = nn.MSELoss()

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1]).squeeze(-1)

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        pred = self(x)
        self.log("val_loss", self.loss(pred, y), prog_bar=True)
        self.log("val_mae_l", (pred - y).abs().mean() * float(ys))

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[10, 16], gamma=0.3)
        return {"optimizer": opt, "lr_scheduler": sched}


model = PressYield()
trainer = L.Trainer(max_epochs=20, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False,
                    callbacks=[L.pytorch.callbacks.EarlyStopping("val_loss", patience=4)])
trainer.fit(model, train_dl, val_dl)
res = trainer.validate(model, val_dl, verbose=False)[0]
print(f"epochs run {trainer.current_epoch}, val MSE (std units) {res['val_loss']:.4f}, "
      f"final val MAE {res['val_mae_l']:.3f} L/100kg (target std {ys:.2f})")
