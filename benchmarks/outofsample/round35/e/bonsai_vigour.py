"""Bonsai nursery: grade each tree's vigour 1-5 from the monthly inspection sheet.

Grades are ordinal, so the head is CORAL-style (one shared score, four ordered thresholds,
binary cross-entropy on the cumulative targets "grade > k"). Lightning handles the loop;
ReduceLROnPlateau and EarlyStopping watch the validation loss.
"""
import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from lightning.pytorch.callbacks import EarlyStopping
from sklearn.metrics import cohen_kappa_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(21, verbose=False)
rng = np.random.default_rng(21)
K = 5
SPECIES = ["juniper", "maple", "ficus", "pine", "azalea", "elm"]


def inspection_sheets(n):
    sp = rng.integers(0, len(SPECIES), n)
    leaf_density = rng.beta(4, 3, n)
    internode_mm = rng.gamma(5, 3, n)
    moisture = rng.uniform(0.1, 0.6, n)
    root_bound = rng.uniform(0, 1, n)
    months_since_repot = rng.integers(0, 48, n)
    pests = rng.poisson(0.4, n)
    sp_effect = np.array([0.3, -0.2, 0.5, 0.1, -0.4, 0.0])[sp]
    latent = (2.5 * leaf_density - 0.04 * (internode_mm - 15) ** 2 / 10 - 3.0 * (moisture - 0.35) ** 2 * 10
              - 1.2 * root_bound * (months_since_repot / 24) - 0.6 * pests + sp_effect
              + rng.logistic(0, 0.35, n))
    cuts = np.quantile(latent, [0.12, 0.35, 0.65, 0.88])
    grade = np.searchsorted(cuts, latent)                       # 0..4  (grades 1..5)
    cont = np.stack([leaf_density, internode_mm, moisture, root_bound, months_since_repot, pests], 1)
    return cont.astype(np.float32), sp, grade


cont, sp, grade = inspection_sheets(2400)
idx = rng.permutation(len(grade))
tr, va, te = idx[:1600], idx[1600:2000], idx[2000:]
mu, sd = cont[tr].mean(0), cont[tr].std(0)
onehot = np.eye(len(SPECIES), dtype=np.float32)[sp]
X = np.concatenate([(cont - mu) / sd, onehot], 1).astype(np.float32)


def loader(rows, shuffle):
    ds = TensorDataset(torch.from_numpy(X[rows]), torch.from_numpy(grade[rows]))
    return DataLoader(ds, batch_size=64, shuffle=shuffle)


class CoralHead(nn.Module):
    def __init__(self, d, k):
        super().__init__()
        self.score = nn.Linear(d, 1, bias=False)
        self.thresholds = nn.Parameter(torch.linspace(-1.5, 1.5, k - 1))

    def forward(self, h):
        return self.score(h) - self.thresholds          # (B, K-1) cumulative logits


class VigourGrader(L.LightningModule):
    def __init__(self, d_in, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.body = nn.Sequential(nn.Linear(d_in, 64), nn.GELU(), nn.Linear(64, 32), nn.GELU())
        self.head = CoralHead(32, K)

    def forward(self, x):
        return self.head(self.body(x))

    def _step(self, batch):
        x, y = batch
        logits = self(x)
        levels = (y[:, None] > torch.arange(K - 1)[None]).float()
        loss = F.binary_cross_entropy_with_logits(logits, levels)
        pred = (logits > 0).sum(1)
        return loss, pred, y

    def training_step(self, batch, _):
        loss, _, _ = self._step(batch)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        loss, pred, y = self._step(batch)
        self.log("val_loss", loss, prog_bar=True)
        self.log("val_mae", (pred - y).abs().float().mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-3)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


model = VigourGrader(X.shape[1])
trainer = L.Trainer(max_epochs=40, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False,
                    callbacks=[EarlyStopping("val_loss", patience=5)])
trainer.fit(model, loader(tr, True), loader(va, False))
print(f"stopped after {trainer.current_epoch} epochs, val_loss {trainer.callback_metrics['val_loss']:.4f}")

model.eval()
with torch.no_grad():
    pred = (model(torch.from_numpy(X[te])) > 0).sum(1).numpy()
mae = np.abs(pred - grade[te]).mean()
qwk = cohen_kappa_score(grade[te], pred, weights="quadratic")
base = np.abs(np.median(grade[tr]) - grade[te]).mean()
print(f"FINAL test grade MAE {mae:.3f} (median-grade baseline {base:.3f}), quadratic kappa {qwk:.3f}")
