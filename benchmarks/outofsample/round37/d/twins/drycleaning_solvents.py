"""Dry-cleaning intake: which of six cleaning treatments will lift a stain without damaging the
garment (multi-label: perc, hydrocarbon, wet-clean, enzyme pre-spot, oxidiser, steam).
Features: fibre blend shares, dye fastness, stain chemistry, age of stain, garment construction."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from sklearn.metrics import roc_auc_score

L.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)

N, D, K = 3600, 18, 6
fibres = rng.dirichlet(np.ones(5) * 0.7, N)           # wool, silk, cotton, polyester, acetate
fastness = rng.uniform(1, 5, (N, 2))                  # wet / solvent colour fastness grades
stain = rng.dirichlet(np.ones(6) * 0.5, N)            # protein, oil, tannin, dye, ink, wax
age_days = rng.exponential(6, (N, 1))
build = rng.integers(0, 2, (N, 4)).astype(float)      # lined, bonded, sequins, pleated
X = np.hstack([fibres, fastness, stain, np.log1p(age_days), build]).astype(np.float32)
assert X.shape[1] == D

W = rng.normal(0, 1.6, (D, K))
H = np.tanh(X @ rng.normal(0, 1.2, (D, 24)))
logits = (X - X.mean(0)) @ W + H @ rng.normal(0, 0.9, (24, K)) - 0.4
Y = (logits + rng.logistic(size=(N, K)) * 0.5 > 0).astype(np.float32)

idx = rng.permutation(N)
tr, va = idx[:2900], idx[2900:]
mu, sd = X[tr].mean(0), X[tr].std(0) + 1e-6
X = (X - mu) / sd

train_dl = DataLoader(TensorDataset(torch.tensor(X[tr]), torch.tensor(Y[tr])), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.tensor(X[va]), torch.tensor(Y[va])), batch_size=256)


class TreatmentTagger(L.LightningModule):
    def __init__(self, d_in, n_labels, hidden=96, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(d_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, n_labels),
        )
        self.loss_fn = nn.BCEWithLogitsLoss()
        self.val_scores = []

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        out = self(x)
        self.log("val_loss", self.loss_fn(out, y), on_epoch=True)
        self.val_scores.append((out.detach(), y))

    def on_validation_epoch_end(self):
        out = torch.cat([o for o, _ in self.val_scores])
        y = torch.cat([t for _, t in self.val_scores])
        self.val_scores.clear()
        prob = torch.sigmoid(out)
        pred = (prob > 0.5).float()
        tp = (pred * y).sum(); fp = (pred * (1 - y)).sum(); fn = ((1 - pred) * y).sum()
        self.log("val_f1", 2 * tp / (2 * tp + fp + fn))
        self.log("val_auc", float(roc_auc_score(y.numpy(), prob.numpy(), average="macro")))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


model = TreatmentTagger(D, K)
trainer = L.Trainer(max_epochs=12, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False, accelerator="cpu", devices=1, deterministic=True)
trainer.fit(model, train_dl, val_dl)
m = trainer.callback_metrics
print(f"label rates {Y.mean(0).round(3)}")
print(f"FINAL val_micro_f1={m['val_f1']:.4f} val_macro_auc={m['val_auc']:.4f} val_loss={m['val_loss']:.4f} train_loss={m['train_loss']:.4f}")
