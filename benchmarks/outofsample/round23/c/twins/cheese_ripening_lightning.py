"""Hard-cheese ripening: predict the 90-day proteolysis index of a wheel from its make sheet
(salt, moisture, pH, starter dose, weight), the cave climate log, the cave and the farm that
supplied the milk. Farms and caves are embedded.
"""
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore", ".*does not have many workers.*")
L.seed_everything(5, verbose=False)
rng = np.random.default_rng(5)

N_FARMS, N_CAVES, N = 300, 12, 9000
farm_lat = rng.normal(0, 1, (N_FARMS, 3))          # milk composition / microflora
cave_lat = rng.normal(0, 1, (N_CAVES, 2))

farm = rng.integers(0, N_FARMS, N)
cave = rng.integers(0, N_CAVES, N)
salt = rng.normal(1.7, 0.25, N)
moisture = rng.normal(36, 2.0, N)
ph = rng.normal(5.25, 0.08, N)
starter = rng.lognormal(0, 0.3, N)
weight = rng.normal(38, 4, N)
cave_temp = 11 + 1.5 * cave_lat[cave, 0] + rng.normal(0, 0.4, N)
cave_rh = 90 + 3 * cave_lat[cave, 1] + rng.normal(0, 1.0, N)

fl = farm_lat[farm]
target = (
    1.2 * fl[:, 0] + 0.8 * np.tanh(fl[:, 1]) * (cave_temp - 11) / 1.5
    + 0.6 * fl[:, 2] * fl[:, 0]
    + 0.35 * (cave_temp - 11) - 1.6 * (salt - 1.7) + 0.12 * (moisture - 36)
    - 3.0 * (ph - 5.25) + 0.4 * np.log(starter) - 0.02 * (weight - 38)
    + 0.5 * cave_lat[cave, 1]
    + rng.normal(0, 0.35, N)
)

dense = np.column_stack([salt, moisture, ph, starter, weight, cave_temp, cave_rh]).astype(np.float32)
perm = rng.permutation(N)
tr, va = perm[:7500], perm[7500:]
d_mu, d_sd = dense[tr].mean(0), dense[tr].std(0)
dense = (dense - d_mu) / d_sd
y_mu, y_sd = target[tr].mean(), target[tr].std()
y = ((target - y_mu) / y_sd).astype(np.float32)


def make_loader(rows, shuffle):
    ds = TensorDataset(torch.from_numpy(farm[rows]), torch.from_numpy(cave[rows]),
                       torch.from_numpy(dense[rows]), torch.from_numpy(y[rows]))
    return DataLoader(ds, batch_size=128, shuffle=shuffle)


class RipeningModel(L.LightningModule):
    def __init__(self, lr: float = 3e-3, emb_lr: float = 3e-3, weight_decay: float = 1e-4):
        super().__init__()
        self.save_hyperparameters()
        self.farm_emb = nn.Embedding(N_FARMS, 8)
        self.cave_emb = nn.Embedding(N_CAVES, 4)
        self.mlp = nn.Sequential(
            nn.Linear(8 + 4 + 7, 96), nn.SiLU(),
            nn.Linear(96, 96), nn.SiLU(),
            nn.Linear(96, 1),
        )

    def forward(self, f, c, d):
        h = torch.cat([self.farm_emb(f), self.cave_emb(c), d], dim=1)
        return self.mlp(h).squeeze(1)

    def training_step(self, batch, _):
        f, c, d, t = batch
        loss = F.mse_loss(self(f, c, d), t)
        self.log("train_mse", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        f, c, d, t = batch
        pred = self(f, c, d)
        self.log("val_mse", F.mse_loss(pred, t), on_epoch=True)
        self.log("val_mae_index", (pred - t).abs().mean() * y_sd, on_epoch=True)

    def configure_optimizers(self):
        emb = list(self.farm_emb.parameters()) + list(self.cave_emb.parameters())
        opt = torch.optim.AdamW(
            [
                {"params": emb, "lr": self.hparams.emb_lr, "weight_decay": 0.0},
                {"params": self.mlp.parameters()},
            ],
            lr=self.hparams.lr, weight_decay=self.hparams.weight_decay,
        )
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


model = RipeningModel()
trainer = L.Trainer(max_epochs=16, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, make_loader(tr, True), make_loader(va, False))
m = trainer.callback_metrics
print(f"FINAL val_mse {m['val_mse'].item():.4f} val_mae_index {m['val_mae_index'].item():.4f} "
      f"train_mse {m['train_mse'].item():.4f}")
