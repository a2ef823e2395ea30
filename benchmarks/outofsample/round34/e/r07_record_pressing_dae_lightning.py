"""Unsupervised screening of vinyl-record pressings from the press's per-disc readout.

Each pressed disc gives 18 readings (steam and cooling temperatures, cycle time, puck
weight, warp, off-centre, surface noise at six radii, ...).  In a good pressing they all
follow from a handful of process states, non-linearly.  Bad discs (non-fill, stitching,
a cold stamper) keep each reading in its normal range but break how they go together.

Denoising autoencoder in Lightning, trained on known-good discs only, with
ReduceLROnPlateau and early stopping on the validation reconstruction loss; anomaly
score = reconstruction error.  Compared with PCA reconstruction error (a linear AE).
"""
import warnings

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import EarlyStopping
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score

warnings.filterwarnings("ignore")
L.seed_everything(17, workers=True, verbose=False)
rng = np.random.default_rng(17)
D = 18
MIX = rng.normal(0, 1, (3, D))
PHASE = rng.uniform(0, 2 * np.pi, D)


def pressings(n):
    z = rng.normal(0, 1, (n, 3))                      # steam, cooling, compound batch state
    lin = z @ MIX
    X = np.sin(lin + PHASE) + 0.5 * np.tanh(z[:, [0]] * z[:, [1]]) * np.cos(PHASE)
    X += 0.05 * rng.normal(0, 1, X.shape)
    return X.astype(np.float32)


def faulty(n):
    X = pressings(n)
    for row in X:                                      # a few readings taken from another disc
        k = rng.integers(3, 7)
        cols = rng.choice(D, k, replace=False)
        row[cols] = pressings(1)[0, cols]
    return X


X_train, X_val = pressings(2000), pressings(500)
X_test = np.concatenate([pressings(950), faulty(50)])
y_test = np.r_[np.zeros(950), np.ones(50)]
mu, sd = X_train.mean(0), X_train.std(0)
norm = lambda X: torch.from_numpy((X - mu) / sd)


class PressingDAE(L.LightningModule):
    def __init__(self, d=D, code=6, noise=0.1, lr=1e-2):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(nn.Linear(d, 64), nn.ELU(), nn.Linear(64, 32), nn.ELU(), nn.Linear(32, code))
        self.decoder = nn.Sequential(nn.Linear(code, 32), nn.ELU(), nn.Linear(32, 64), nn.ELU(), nn.Linear(64, d))

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def training_step(self, batch, batch_idx):
        (x,) = batch
        noisy = x + self.hparams.noise * torch.randn_like(x)
        loss = nn.functional.mse_loss(self(noisy), x)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        (x,) = batch
        loss = nn.functional.mse_loss(self(x), x)
        self.log("val_loss", loss, prog_bar=True)
        if self.current_epoch % 10 == 0 and not self.trainer.sanity_checking:
            print(f"epoch {self.current_epoch:3d} val recon MSE {loss.item():.4f}")

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=3)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


train_dl = DataLoader(TensorDataset(norm(X_train)), batch_size=128, shuffle=True)
val_dl = DataLoader(TensorDataset(norm(X_val)), batch_size=500)
model = PressingDAE()
trainer = L.Trainer(max_epochs=100, accelerator="cpu", devices=1, deterministic=True, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                    callbacks=[EarlyStopping(monitor="val_loss", patience=6, min_delta=5e-4)])
trainer.fit(model, train_dl, val_dl)
print(f"stopped after {trainer.current_epoch} epochs, val recon MSE {trainer.callback_metrics['val_loss'].item():.4f}")

model.eval()
with torch.no_grad():
    xt = norm(X_test)
    score = ((model(xt) - xt) ** 2).mean(1).numpy()
pca = PCA(n_components=6).fit((X_train - mu) / sd)
Zt = (X_test - mu) / sd
pca_score = ((pca.inverse_transform(pca.transform(Zt)) - Zt) ** 2).mean(1)
best_pca = max(roc_auc_score(y_test, ((PCA(k).fit((X_train - mu) / sd).inverse_transform(
    PCA(k).fit((X_train - mu) / sd).transform(Zt)) - Zt) ** 2).mean(1)) for k in range(2, 12))
print(f"baseline PCA(6) reconstruction: test ROC AUC {roc_auc_score(y_test, pca_score):.3f} (best k in 2..11: {best_pca:.3f})")
print(f"final autoencoder test ROC AUC {roc_auc_score(y_test, score):.3f}")
