"""Condition monitoring for a gas turbine: an autoencoder trained on healthy operation only;
the reconstruction error of a new snapshot is its anomaly score. Lightning module with a
OneCycle schedule stepped every batch."""
import warnings

import lightning as L
import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
L.seed_everything(5, verbose=False)
rng = np.random.default_rng(5)

N_SENSORS = 24
mixing = rng.normal(0, 1, (4, N_SENSORS))
curv = rng.normal(0, 0.5, (4, N_SENSORS))


def healthy(n):
    z = rng.normal(0, 1, (n, 4))
    x = z @ mixing + np.tanh(z) ** 2 @ curv
    return x + rng.normal(0, 0.15, x.shape)


def faulty(n):
    x = healthy(n)
    # a drifting sensor pair: values stay within the normal range but break the correlations
    cols = rng.choice(N_SENSORS, (n, 2))
    rows = np.arange(n)[:, None]
    x[rows, cols] = rng.permutation(x[:, 0]).reshape(-1, 1) * 0.8 + rng.normal(0, 0.3, (n, 2))
    return x


X_train = healthy(6000)
X_val = healthy(1000)
X_test = np.concatenate([healthy(900), faulty(100)])
y_test = np.r_[np.zeros(900), np.ones(100)]

mu, sd = X_train.mean(0), X_train.std(0)
norm = lambda a: torch.tensor((a - mu) / sd, dtype=torch.float32)
Xtr, Xva, Xte = norm(X_train), norm(X_val), norm(X_test)

train_loader = DataLoader(TensorDataset(Xtr, Xtr), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(Xva, Xva), batch_size=500)

EPOCHS = 15


class TurbineAE(L.LightningModule):
    def __init__(self, n_in=N_SENSORS, code=4, lr=5e-3):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(nn.Linear(n_in, 64), nn.SiLU(), nn.Linear(64, 32), nn.SiLU(),
                                     nn.Linear(32, code))
        self.decoder = nn.Sequential(nn.Linear(code, 32), nn.SiLU(), nn.Linear(32, 64), nn.SiLU(),
                                     nn.Linear(64, n_in))
        self.loss = nn.MSELoss()

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def training_step(self, batch, _):
        x, target = batch
        loss = self.loss(self(x), target)
        self.log("train_mse", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, target = batch
        self.log("val_mse", self.loss(self(x), target), prog_bar=False)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=self.hparams.lr, total_steps=self.trainer.estimated_stepping_batches,
            pct_start=0.25)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


model = TurbineAE()
trainer = L.Trainer(max_epochs=EPOCHS, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False)
trainer.fit(model, train_loader, val_loader)

model.eval()
with torch.no_grad():
    score = ((model(Xte) - Xte) ** 2).mean(1).numpy()
    val_mse = ((model(Xva) - Xva) ** 2).mean().item()
baseline_score = (Xte ** 2).mean(1).numpy()          # distance from the healthy mean
print(f"val reconstruction MSE {val_mse:.4f} (predicting the mean: 1.0000)")
print(f"baseline (z-score magnitude) AUROC {roc_auc_score(y_test, baseline_score):.4f}")
print(f"final test anomaly AUROC {roc_auc_score(y_test, score):.4f}")
