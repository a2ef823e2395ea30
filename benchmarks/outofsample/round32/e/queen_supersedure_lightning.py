"""Apiary records: will this colony's queen be kept, superseded, or fail (drone layer)
before the autumn inspection?

Three outcomes with very different frequencies (most queens are kept), so the loss
is class-weighted (inverse frequency, normalised) and the model is scored on balanced
accuracy. A small residual MLP in Lightning, with early stopping on validation loss.
"""
import tempfile
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint
from sklearn.metrics import balanced_accuracy_score, confusion_matrix

warnings.filterwarnings("ignore")
L.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)


def inspections(n):
    queen_age = rng.integers(0, 4, n) + rng.random(n)            # years
    brood_pattern = np.clip(rng.normal(4.0 - 0.6 * queen_age, 0.8, n), 1, 5)
    varroa = rng.gamma(1.5, 2.0 + 0.8 * queen_age, n)           # mites / 100 bees
    weight_change = rng.normal(2.5, 1.8, n) - 0.25 * varroa     # kg since spring
    drone_cells = rng.poisson(3 + 4 * np.maximum(0, 3 - brood_pattern), n)
    queen_cells = rng.poisson(0.4 + 0.7 * np.maximum(0, queen_age - 1.5), n)
    temper = rng.normal(0, 1, n)
    frames_bees = np.clip(rng.normal(8 - 0.15 * varroa, 1.5, n), 2, 12)
    apiary_alt = rng.uniform(50, 900, n)
    sig = lambda z: 1 / (1 + np.exp(-z))
    has_cells = sig(3 * (queen_cells - 0.5))
    score_super = has_cells * (2.6 * sig(2 * (3.3 - brood_pattern)) + 1.4 * (queen_age - 1.5)) \
        + 1.5 * ((weight_change - 2.0) / 1.8) ** 2 - 6.0
    score_fail = 0.7 * drone_cells * sig(3 * (2.6 - brood_pattern)) \
        + 2.2 * sig(varroa - 7) * sig(2 * (6.5 - frames_bees)) - 7.5
    logits = np.stack([np.zeros(n), score_super, score_fail], 1) + rng.gumbel(0, 0.25, (n, 3))
    y = logits.argmax(1)
    X = np.stack([queen_age, brood_pattern, varroa, weight_change, drone_cells,
                  queen_cells, temper, frames_bees, apiary_alt], 1)
    return X.astype(np.float32), y


X, y = inspections(6000)
Xtr, ytr, Xva, yva = X[:4800], y[:4800], X[4800:], y[4800:]
mu, sd = Xtr.mean(0), Xtr.std(0)
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
counts = np.bincount(ytr, minlength=3)
print("class shares (train):", np.round(counts / counts.sum(), 3))
class_w = torch.tensor(counts.sum() / (3 * counts), dtype=torch.float32)


class ResBlock(nn.Module):
    def __init__(self, d, p):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Dropout(p), nn.Linear(2 * d, d))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class QueenOutcome(L.LightningModule):
    def __init__(self, d_in, d=64, n_blocks=3, lr=2e-3, class_weight=None):
        super().__init__()
        self.save_hyperparameters(ignore=["class_weight"])
        self.inp = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[ResBlock(d, 0.1) for _ in range(n_blocks)])
        self.head = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 3))
        self.register_buffer("class_weight", class_weight)

    def forward(self, x):
        return self.head(self.blocks(self.inp(x)))

    def training_step(self, batch, _):
        x, y = batch
        loss = F.cross_entropy(self(x), y, weight=self.class_weight)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        loss = F.cross_entropy(self(x), y, weight=self.class_weight)
        self.log("val_loss", loss, prog_bar=False)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-3)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=60, eta_min=1e-5)
        return {"optimizer": opt, "lr_scheduler": sched}


train_dl = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.tensor(Xva), torch.tensor(yva)), batch_size=600)

model = QueenOutcome(Xtr.shape[1], class_weight=class_w)
best_ckpt = ModelCheckpoint(dirpath=tempfile.mkdtemp(), monitor="val_loss", mode="min", save_top_k=1)
trainer = L.Trainer(max_epochs=60, accelerator="cpu", devices=1, logger=False,
                    enable_progress_bar=False, enable_model_summary=False,
                    callbacks=[EarlyStopping("val_loss", patience=8, mode="min"), best_ckpt])
trainer.fit(model, train_dl, val_dl)
model = QueenOutcome.load_from_checkpoint(best_ckpt.best_model_path, class_weight=class_w)

model.eval()
with torch.no_grad():
    pred = model(torch.tensor(Xva)).argmax(1).numpy()
print("stopped after epoch", trainer.current_epoch, "- best", best_ckpt.best_model_path.split("/")[-1])
print("confusion (rows true kept/superseded/failed):\n", confusion_matrix(yva, pred))
print(f"final: val balanced accuracy {balanced_accuracy_score(yva, pred):.3f}, accuracy {(pred == yva).mean():.3f}")
