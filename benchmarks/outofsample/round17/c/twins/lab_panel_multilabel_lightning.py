"""Multi-label comorbidity flags from a routine lab panel + vitals (Lightning).

Synthetic cohort: 28 measurements (log-normal labs, vitals, age) drive six diagnosis flags
through clinical-style thresholds and interactions. An MLP with a BCE-with-logits head is
trained with AdamW and cosine decay; macro AUROC on a held-out cohort.
"""
import lightning as L
import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

SEED = 3
L.seed_everything(SEED, verbose=False)
rng = np.random.default_rng(SEED)

N, D = 5000, 28
FLAGS = ["diabetes", "ckd", "anaemia", "liver", "thyroid", "dyslipidaemia"]
z = rng.normal(size=(N, D))
z[:, 1] += 0.6 * z[:, 0]                      # correlated labs
z[:, 5] += 0.5 * z[:, 4]
labs = np.exp(0.35 * z)                        # log-normal concentrations
labs[:, -1] = rng.uniform(20, 90, N)           # age in years

age = (labs[:, -1] - 55) / 20
logit = np.stack([
    2.2 * z[:, 0] + 1.2 * z[:, 1] * (z[:, 1] > 0) + 0.8 * age - 1.5,        # glucose, HbA1c
    1.8 * z[:, 2] - 1.1 * z[:, 3] + 1.0 * age + 0.8 * z[:, 0] * z[:, 2] - 1.8,
    -2.0 * z[:, 4] - 1.0 * z[:, 5] + 0.6 * (z[:, 6] ** 2) - 1.6,
    1.6 * z[:, 7] + 1.6 * z[:, 8] * (z[:, 9] > 0.5) - 1.7,
    2.5 * np.abs(z[:, 10]) - 3.0,
    1.4 * z[:, 11] - 1.4 * z[:, 12] + 0.7 * z[:, 0] - 1.0,
], axis=1)
Y = (rng.uniform(size=logit.shape) < 1 / (1 + np.exp(-logit))).astype(np.float32)

X = np.log(labs)
X[:, -1] = labs[:, -1]
X_tr, X_te, Y_tr, Y_te = train_test_split(X, Y, test_size=0.2, random_state=SEED)
mu, sd = X_tr.mean(0), X_tr.std(0)
X_tr = ((X_tr - mu) / sd).astype(np.float32)
X_te = ((X_te - mu) / sd).astype(np.float32)


class LabPanelModel(L.LightningModule):
    def __init__(self, d_in, n_out, hidden=128, lr=2e-3, weight_decay=0.05, epochs=12):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(d_in, hidden), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(hidden, n_out),
        )
        self.loss_fn = nn.BCEWithLogitsLoss()
        self.val_scores, self.val_targets = [], []

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss_fn(logits, y))
        self.val_scores.append(torch.sigmoid(logits))
        self.val_targets.append(y)

    def on_validation_epoch_end(self):
        s = torch.cat(self.val_scores).numpy()
        t = torch.cat(self.val_targets).numpy()
        self.val_scores.clear()
        self.val_targets.clear()
        self.log("val_auroc", roc_auc_score(t, s, average="macro"))

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), self.hparams.lr, (0.9, 0.999),
                                weight_decay=self.hparams.weight_decay)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(Y_tr)),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_te), torch.from_numpy(Y_te)),
                        batch_size=1000)

EPOCHS = 12
model = LabPanelModel(D, len(FLAGS), epochs=EPOCHS)
trainer = L.Trainer(max_epochs=EPOCHS, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False, deterministic=True)
trainer.fit(model, train_loader, val_loader)
res = trainer.validate(model, val_loader, verbose=False)[0]
print(f"final: val macro AUROC {res['val_auroc']:.4f}  val BCE {res['val_loss']:.4f}")
