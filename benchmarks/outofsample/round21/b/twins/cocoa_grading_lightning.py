"""Cocoa bean grading from cut-test measurements (Lightning).

The grading lab exports one row per lot: cut-test defect shares, bean count,
moisture and fermentation index, with the grade the inspector gave
(Grade I, Grade II, Sub-standard, Reject). We train a small MLP to pre-grade
lots before the inspector sees them and check it on the audit lots.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import lightning as L
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
L.seed_everything(11, verbose=False)

GRADES = ["grade_1", "grade_2", "sub_standard", "reject"]
COLUMNS = ["mouldy_pct", "slaty_pct", "insect_pct", "germinated_pct", "violet_pct",
           "bean_count_100g", "moisture_pct", "fermentation_index", "shell_pct"]


def lab_export(n, rng, ordered=True):
    """Rows as the grading database exports them."""
    quality = rng.normal(0, 1, n)
    mould = np.clip(2.5 + 1.6 * quality + rng.gamma(2, 0.6, n), 0, None)
    slaty = np.clip(4 + 2.8 * quality + rng.normal(0, 1.6, n), 0, None)
    insect = np.clip(1.2 + 0.7 * quality + rng.gamma(1.5, 0.5, n), 0, None)
    germ = np.clip(1.5 + 0.5 * quality + rng.gamma(1.2, 0.8, n), 0, None)
    violet = np.clip(18 + 6 * quality + rng.normal(0, 4, n), 0, 100)
    count = 95 + 6 * quality + rng.normal(0, 6, n)
    moist = 7.2 + 0.5 * quality + rng.normal(0, 0.45, n)
    ferm = 1.15 - 0.12 * quality + rng.normal(0, 0.06, n)
    shell = 12 + 0.6 * quality + rng.normal(0, 0.9, n)
    X = np.stack([mould, slaty, insect, germ, violet, count, moist, ferm, shell], 1)
    score = 0.45 * mould + 0.25 * slaty + 0.35 * insect + 0.03 * (count - 95) + 0.6 * (moist - 7.2) \
        + rng.normal(0, 0.35, n)
    y = np.digitize(score, np.quantile(score, [0.38, 0.68, 0.86]))
    if ordered:
        order = np.lexsort((rng.permutation(n), y))
        X, y = X[order], y[order]
    return X.astype(np.float32), y.astype(np.int64)


X, y = lab_export(1600, np.random.default_rng(3))
X_audit, y_audit = lab_export(800, np.random.default_rng(4), ordered=False)

X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_tr)


def loader(Xa, ya, shuffle):
    ds = TensorDataset(torch.from_numpy(scaler.transform(Xa).astype(np.float32)), torch.from_numpy(ya))
    return DataLoader(ds, batch_size=64, shuffle=shuffle)


class GradeNet(L.LightningModule):
    def __init__(self, n_in, n_classes, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, 96), nn.GELU(), nn.Dropout(0.1),
            nn.Linear(96, 96), nn.GELU(),
            nn.Linear(96, n_classes),
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-2)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=12, gamma=0.3)
        return [opt], [sched]


model = GradeNet(len(COLUMNS), len(GRADES))
trainer = L.Trainer(max_epochs=30, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False, deterministic=True)
trainer.fit(model, loader(X_tr, y_tr, True), loader(X_val, y_val, False))

model.eval()
with torch.no_grad():
    val_pred = model(torch.from_numpy(scaler.transform(X_val).astype(np.float32))).argmax(1).numpy()
    audit_pred = model(torch.from_numpy(scaler.transform(X_audit).astype(np.float32))).argmax(1).numpy()
print("train grade shares:", np.bincount(y_tr, minlength=4) / len(y_tr))
print(f"val_acc {(val_pred == y_val).mean():.3f}  audit_acc {(audit_pred == y_audit).mean():.3f}")
