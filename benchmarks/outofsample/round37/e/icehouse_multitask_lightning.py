"""Estate ice-house store: weekly melt loss and spoilage risk, one network, two heads (Lightning).

Per storage week: outside temperature, sun hours, door openings, straw-insulation depth,
ice-block stack height, drain state, ground water level, week of season. Targets: the melt
loss in tonnes (right-skewed, modelled as log1p and scaled) and whether stored game/fish
spoiled (binary, ~20% positive). A shared trunk with two heads is trained on a weighted sum
of MSE and BCE-with-logits; ReduceLROnPlateau on the validation loss and EarlyStopping.
"""
import warnings
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from lightning.pytorch.callbacks import EarlyStopping
from sklearn.metrics import roc_auc_score

warnings.filterwarnings("ignore", ".*does not have many workers.*")
L.seed_everything(17, verbose=False)
torch.set_num_threads(1)
rng = np.random.default_rng(17)

N = 3000
temp = rng.normal(14, 6, N)
sun = rng.gamma(2, 2.5, N)
doors = rng.poisson(6, N)
straw = rng.uniform(0.2, 1.2, N)
stack = rng.uniform(1, 5, N)
drain_blocked = (rng.random(N) < 0.15).astype(float)
ground_water = rng.normal(0, 1, N)
week = rng.integers(1, 40, N)
melt = np.exp(0.08 * np.clip(temp, 0, None) + 0.05 * sun + 0.04 * doors - 1.2 * straw + 0.1 * stack
              + 0.5 * drain_blocked + 0.15 * ground_water + rng.normal(0, 0.25, N)) * 0.3
spoil_logit = -3.0 + 0.12 * (temp - 14) + 0.9 * drain_blocked + 0.05 * doors * (straw < 0.5) + 1.4 * (melt > 1.2) + 0.02 * week
spoiled = (rng.random(N) < 1 / (1 + np.exp(-spoil_logit))).astype(np.float32)

X = np.stack([temp, sun, doors, straw, stack, drain_blocked, ground_water, week], 1)
tr, va, te = np.split(rng.permutation(N), [2000, 2500])
cont = [0, 1, 2, 3, 4, 6, 7]                      # drain_blocked (col 5) stays 0/1
mu, sd = X[tr][:, cont].mean(0), X[tr][:, cont].std(0)
X[:, cont] = (X[:, cont] - mu) / sd
ym = np.log1p(melt)
ymu, ysd = ym[tr].mean(), ym[tr].std()
ym = (ym - ymu) / ysd


def ds(ix):
    return TensorDataset(torch.tensor(X[ix], dtype=torch.float32), torch.tensor(ym[ix], dtype=torch.float32),
                         torch.tensor(spoiled[ix]))


class IceHouseModel(L.LightningModule):
    def __init__(self, n_in=8, hidden=64, spoil_weight=0.5, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.trunk = nn.Sequential(nn.Linear(n_in, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU())
        self.melt_head = nn.Linear(hidden, 1)
        self.spoil_head = nn.Linear(hidden, 1)
        prior = float(spoiled[tr].mean())
        nn.init.constant_(self.spoil_head.bias, np.log(prior / (1 - prior)))

    def forward(self, x):
        h = self.trunk(x)
        return self.melt_head(h).squeeze(-1), self.spoil_head(h).squeeze(-1)

    def _losses(self, batch):
        x, y_melt, y_spoil = batch
        p_melt, p_spoil = self(x)
        l_melt = F.mse_loss(p_melt, y_melt)
        l_spoil = F.binary_cross_entropy_with_logits(p_spoil, y_spoil)
        return l_melt, l_spoil, l_melt + self.hparams.spoil_weight * l_spoil

    def training_step(self, batch, batch_idx):
        l_melt, l_spoil, loss = self._losses(batch)
        self.log_dict({"train_melt_mse": l_melt, "train_spoil_bce": l_spoil, "train_loss": loss}, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        l_melt, l_spoil, loss = self._losses(batch)
        self.log_dict({"val_melt_mse": l_melt, "val_spoil_bce": l_spoil, "val_loss": loss}, prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr, weight_decay=1e-5)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.3, patience=3)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


model = IceHouseModel()
trainer = L.Trainer(max_epochs=40, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False,
                    callbacks=[EarlyStopping("val_loss", patience=6, min_delta=1e-4)])
trainer.fit(model, DataLoader(ds(tr), batch_size=64, shuffle=True), DataLoader(ds(va), batch_size=500))
print(f"stopped after {trainer.current_epoch} epochs, val_loss {trainer.callback_metrics['val_loss']:.4f}")

model.eval()
xt, ymt, yst = ds(te).tensors
with torch.no_grad():
    pm, ps = model(xt)
melt_pred = np.expm1(pm.numpy() * ysd + ymu)
melt_true = melt[te]
r2 = 1 - ((melt_pred - melt_true) ** 2).sum() / ((melt_true - melt_true.mean()) ** 2).sum()
print(f"test melt R2 {r2:.3f}  test spoilage AUROC {roc_auc_score(yst.numpy(), ps.numpy()):.3f}")
