"""Motor third-party-liability claim frequency (Lightning).

Counts are modelled on their natural scale with a log link: the network
outputs a log-rate, log(exposure) enters as an offset, and the loss is the
Poisson negative log-likelihood. Most policies have zero claims.
"""
import warnings

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.linear_model import PoissonRegressor
from sklearn.metrics import mean_poisson_deviance

warnings.filterwarnings("ignore", ".*does not have many workers.*")
L.seed_everything(23, verbose=False)
rng = np.random.default_rng(23)

N, N_REGION = 30000, 22
age = rng.uniform(18, 85, N)
power = rng.integers(4, 15, N).astype(float)
bonus = np.clip(rng.gamma(2.0, 15.0, N) + 50, 50, 230)
density = np.exp(rng.normal(6.0, 1.8, N))
region = rng.integers(0, N_REGION, N)
exposure = np.clip(rng.beta(2.0, 1.0, N), 0.02, 1.0)      # years insured
region_eff = rng.normal(0, 0.3, N_REGION)
log_rate = (-2.0 + 1.4 * np.exp(-(age - 18) / 7) + 0.8 * ((age - 70) / 10).clip(0) ** 2
            + 0.012 * (bonus - 50) + 0.07 * (np.log(density) - 6)
            + 0.15 * (power - 9) * (age < 30) + region_eff[region])
claims = rng.poisson(exposure * np.exp(log_rate)).astype(np.float32)

num = np.column_stack([age, power, bonus, np.log(density)])
split = 24000
mu, sd = num[:split].mean(0), num[:split].std(0)
num = ((num - mu) / sd).astype(np.float32)
log_exp = np.log(exposure).astype(np.float32)


def ds(sl):
    return TensorDataset(torch.from_numpy(num[sl]), torch.from_numpy(region[sl]).long(),
                         torch.from_numpy(log_exp[sl]), torch.from_numpy(claims[sl]))


train_dl = DataLoader(ds(slice(0, split)), batch_size=512, shuffle=True)
val_dl = DataLoader(ds(slice(split, N)), batch_size=2048)


class FreqModel(L.LightningModule):
    def __init__(self, base_rate):
        super().__init__()
        self.region = nn.Embedding(N_REGION, 4)
        self.net = nn.Sequential(nn.Linear(4 + 4, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                                 nn.Linear(32, 1))
        nn.init.constant_(self.net[-1].bias, float(np.log(base_rate)))
        self.loss = nn.PoissonNLLLoss(log_input=True, full=False)

    def forward(self, x, r, off):
        return self.net(torch.cat([x, self.region(r)], 1)).squeeze(1) + off

    def training_step(self, batch, _):
        x, r, off, yb = batch
        loss = self.loss(self(x, r, off), yb)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, r, off, yb = batch
        self.log("val_loss", self.loss(self(x, r, off), yb), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=5e-3)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


base_rate = claims[:split].sum() / exposure[:split].sum()
model = FreqModel(base_rate)
trainer = L.Trainer(max_epochs=15, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)
print(f"train loss {trainer.callback_metrics['train_loss']:.4f} val loss {trainer.callback_metrics['val_loss']:.4f}")

model.eval()
with torch.no_grad():
    t = torch.from_numpy
    mu_nn = torch.exp(model(t(num[split:]), t(region[split:]).long(), t(log_exp[split:]))).numpy()
y_va, e_va = claims[split:], exposure[split:]
dev_nn = mean_poisson_deviance(y_va, mu_nn)
dev_const = mean_poisson_deviance(y_va, base_rate * e_va)
Xg = np.column_stack([num, np.eye(N_REGION)[region]])
glm = PoissonRegressor(alpha=1e-4, max_iter=500).fit(Xg[:split], claims[:split] / exposure[:split],
                                                     sample_weight=exposure[:split])
dev_glm = mean_poisson_deviance(y_va, glm.predict(Xg[split:]) * e_va)
print(f"baselines: constant-rate deviance {dev_const:.4f}  GLM deviance {dev_glm:.4f}")
print(f"final: network val Poisson deviance {dev_nn:.4f}")
