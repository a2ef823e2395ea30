"""Rope tensile test bench: predict breaking load from the rope's spec sheet and history.

Lightning module over the bench's test records (fibre, construction, diameter, age, UV
hours, splices, knot in the test length, wet/dry, pull rate).  Target is log breaking
load in kN, standardised on the training split.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)

FIBRES = {"nylon": (1.00, 1.4), "polyester": (0.95, 0.5), "manila": (0.45, 0.9),
          "dyneema": (2.60, 0.3), "polypropylene": (0.60, 1.8)}
CONSTRUCTIONS = {"3-strand": 0.92, "8-plait": 0.97, "12-strand": 1.05, "double-braid": 1.10}


def bench_records(n):
    fibre = rng.integers(0, len(FIBRES), n)
    cons = rng.integers(0, len(CONSTRUCTIONS), n)
    diam = rng.uniform(6, 32, n)                       # mm
    age = rng.gamma(2.0, 2.5, n)                        # years in service
    uv = rng.gamma(1.5, 600, n)                         # hours in sun
    splices = rng.integers(0, 4, n)
    knot = rng.random(n) < 0.25
    wet = rng.random(n) < 0.4
    rate = rng.uniform(50, 300, n)                      # mm/min
    strength = np.array([v[0] for v in FIBRES.values()])[fibre]
    uv_sens = np.array([v[1] for v in FIBRES.values()])[fibre]
    cfac = np.array(list(CONSTRUCTIONS.values()))[cons]
    load = 0.22 * strength * cfac * diam ** 2
    load *= np.exp(-0.035 * age - 1.2e-4 * uv * uv_sens)
    load *= np.where(knot, 0.58, 1.0) * (1 - 0.05 * splices)
    load *= np.where(wet & (fibre == 0), 0.87, 1.0)       # wet nylon loses strength
    load *= 1 + 0.0004 * (rate - 150)
    load *= np.exp(rng.normal(0, 0.06, n))
    cont = np.stack([diam, age, uv, rate], 1)
    cat = np.concatenate([np.eye(len(FIBRES))[fibre], np.eye(len(CONSTRUCTIONS))[cons],
                          np.eye(4)[splices], knot[:, None], wet[:, None]], 1)
    return cont, cat, np.log(load)


cont, cat, y = bench_records(3000)
n_tr = 2400
mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
X = np.concatenate([(cont - mu) / sd, cat], 1).astype(np.float32)
y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
Y = ((y - y_mu) / y_sd).astype(np.float32)[:, None]

train_ds = TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(Y[:n_tr]))
val_ds = TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(Y[n_tr:]))


class BreakLoadRegressor(L.LightningModule):
    def __init__(self, n_in, hidden=128, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )
        self.loss_fn = nn.MSELoss()
        self.val_sse = 0.0
        self.val_n = 0

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        pred = self(x)
        self.log("val_loss", self.loss_fn(pred, y), on_epoch=True)
        self.val_sse += ((pred - y) ** 2).sum().item()
        self.val_n += len(y)

    def on_validation_epoch_start(self):
        self.val_sse, self.val_n = 0.0, 0

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=6, gamma=0.5)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


model = BreakLoadRegressor(X.shape[1])
trainer = L.Trainer(max_epochs=20, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False)
trainer.fit(model, DataLoader(train_ds, batch_size=64, shuffle=True),
            DataLoader(val_ds, batch_size=256))

model.eval()
with torch.no_grad():
    xv, yv = val_ds.tensors
    pred = model(xv).numpy().ravel() * y_sd + y_mu
true = yv.numpy().ravel() * y_sd + y_mu
r2 = 1 - ((pred - true) ** 2).sum() / ((true - true.mean()) ** 2).sum()
mape = np.mean(np.abs(np.exp(pred - true) - 1))
print(f"final val_r2 {r2:.4f}  val_mape {mape:.4f}")
