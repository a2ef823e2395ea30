"""Sugar content of beet clamps from harvester telemetry (Lightning).

Each sample is one field's harvest run: 96 readings (every 30 s) of lifting depth,
topper height, cleaning-turbine speed, soil tare, beet diameter index and ambient
temperature. Target: the factory's sugar-content reading (% pol) for the clamp, with the
occasional badly topped load giving heavy-tailed errors. GRU encoder, Huber loss,
gradient clipping as routine insurance, warm-up then cosine decay.
"""
import math
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning.pytorch as pl

pl.seed_everything(17, verbose=False)
rng = np.random.default_rng(17)
T, C = 96, 6


def fields(n):
    t = np.linspace(0, 1, T)
    X = np.zeros((n, T, C), np.float32)
    y = np.zeros(n, np.float32)
    for i in range(n):
        depth = 0.6 + 0.1 * np.sin(2 * np.pi * rng.uniform(1, 4) * t + rng.uniform(0, 6)) + rng.normal(0, 0.03, T)
        topper = rng.normal(1.0, 0.15) + 0.2 * (t > rng.uniform(0.3, 0.9)) * rng.choice([-1, 1]) + rng.normal(0, 0.05, T)
        turbine = rng.normal(0, 1) + rng.normal(0, 0.2, T)
        tare = np.abs(rng.normal(0.1 + 0.3 * rng.random(), 0.05, T))
        diam = rng.normal(0, 1) + np.cumsum(rng.normal(0, 0.05, T))
        temp = rng.normal(8, 4) + 3 * np.sin(np.pi * t)
        X[i] = np.stack([depth, topper, turbine, tare, diam, temp], 1)
        over_topped = np.mean(topper[T // 2:] > 1.15)
        y[i] = (17.5 - 2.0 * tare.mean() + 0.4 * np.tanh(diam[-24:].mean()) - 1.5 * over_topped
                - 0.05 * (temp.mean() - 8) + rng.standard_t(3) * 0.25)
    return X, y


X, y = fields(1200)
n_tr = 950
mu, sd = X[:n_tr].reshape(-1, C).mean(0), X[:n_tr].reshape(-1, C).std(0)
X = (X - mu) / sd
y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
yz = (y - y_mu) / y_sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(yz[:n_tr])), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(yz[n_tr:])), batch_size=250)


class ClampRegressor(pl.LightningModule):
    def __init__(self, hidden=32, lr=3e-3, warmup=30, total=0):
        super().__init__()
        self.save_hyperparameters()
        self.gru = nn.GRU(C, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)

    def training_step(self, batch, _):
        x, y = batch
        loss = F.huber_loss(self(x), y, delta=1.0)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        pred = self(x)
        self.log("val_loss", F.huber_loss(pred, y, delta=1.0))
        self.log("val_mae", (pred - y).abs().mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        warm, total = self.hparams.warmup, self.hparams.total

        def factor(step):
            if step < warm:
                return (step + 1) / warm
            return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warm) / max(1, total - warm))))
        sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


EPOCHS = 12
model = ClampRegressor(total=EPOCHS * len(train_loader))
trainer = pl.Trainer(max_epochs=EPOCHS, gradient_clip_val=1.0, accelerator="cpu", devices=1,
                     logger=False, enable_checkpointing=False, enable_progress_bar=False,
                     enable_model_summary=False)
trainer.fit(model, train_loader, val_loader)

model.eval()
with torch.no_grad():
    pred = model(torch.from_numpy(X[n_tr:])).numpy() * y_sd + y_mu
mae = np.abs(pred - y[n_tr:]).mean()
base = np.abs(y[:n_tr].mean() - y[n_tr:]).mean()
print(f"final val MAE {mae:.3f} % pol (predicting the mean: {base:.3f})  R2 {1 - ((pred - y[n_tr:])**2).mean() / y[n_tr:].var():.3f}")
