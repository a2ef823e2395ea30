"""Will this loan come back late?  Branch-library circulation records, Lightning.

One row per checkout: item format, loan period, borrower history, holds queue on the
title, distance from home branch. Target: returned after the due date (binary).
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch
import lightning as L
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
L.seed_everything(11, verbose=False)

FORMATS = ["book", "dvd", "audiobook", "magazine", "boardgame"]


def circulation_records(n, rng):
    fmt = rng.choice(len(FORMATS), size=n, p=[0.55, 0.15, 0.1, 0.12, 0.08])
    loan_days = np.where(fmt == 1, 7, np.where(fmt == 3, 14, 21)).astype(float)
    tenure_months = rng.gamma(2.0, 18.0, size=n)
    new_member = rng.random(n) < 0.12
    prior_loans = np.where(new_member, 0, rng.poisson(0.8 * tenure_months + 2))
    habit = rng.beta(1.5, 6.0, size=n)
    prior_late = rng.binomial(prior_loans, habit)
    renewals = rng.poisson(0.6, size=n)
    holds = rng.poisson(np.where(fmt == 1, 2.5, 0.8))
    distance_km = rng.lognormal(1.0, 0.7, size=n)
    pages_or_minutes = rng.lognormal(5.5, 0.5, size=n)

    logit = (-1.5 + 12.0 * (habit - 0.2) + 1.5 * (fmt == 4) + 1.0 * (fmt == 1)
             + 0.8 * np.log1p(distance_km) - 0.7 * renewals + 0.35 * np.minimum(holds, 6)
             - 0.03 * loan_days + 1.2 * new_member + 0.8 * (pages_or_minutes > 400))
    late = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    return dict(fmt=fmt, loan_days=loan_days, tenure_months=tenure_months, prior_loans=prior_loans,
                prior_late=prior_late, renewals=renewals, holds=holds, distance_km=distance_km,
                pages_or_minutes=pages_or_minutes), late


def featurize(r):
    late_rate = r["prior_late"] / r["prior_loans"]
    numeric = np.column_stack([
        r["loan_days"], np.log1p(r["tenure_months"]), np.log1p(r["prior_loans"]), late_rate,
        r["renewals"], r["holds"], np.log(r["distance_km"]), np.log(r["pages_or_minutes"]),
    ])
    onehot = np.eye(len(FORMATS))[r["fmt"]]
    return numeric, onehot


class LateReturnModel(L.LightningModule):
    def __init__(self, n_in, hidden=64, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )
        self.loss_fn = nn.BCEWithLogitsLoss()

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss_fn(logits, y))
        self.log("val_acc", ((logits > 0).float() == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    rng = np.random.default_rng(11)
    records, late = circulation_records(6000, rng)
    numeric, onehot = featurize(records)
    idx_tr, idx_va = train_test_split(np.arange(len(late)), test_size=0.25, random_state=11, stratify=late)
    scaler = StandardScaler().fit(numeric[idx_tr])
    X = np.hstack([scaler.transform(numeric), onehot]).astype(np.float32)

    def loader(idx, shuffle):
        ds = TensorDataset(torch.from_numpy(X[idx]), torch.from_numpy(late[idx]))
        return DataLoader(ds, batch_size=64, shuffle=shuffle)

    model = LateReturnModel(X.shape[1])
    trainer = L.Trainer(max_epochs=8, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, loader(idx_tr, True), loader(idx_va, False))

    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(X[idx_va]))
    pred = (logits > 0).float().numpy()
    y = late[idx_va]
    tpr = (pred[y == 1] == 1).mean()
    tnr = (pred[y == 0] == 0).mean()
    print(f"val accuracy {np.mean(pred == y):.4f}  balanced accuracy {(tpr + tnr) / 2:.4f}  "
          f"(late share {y.mean():.3f})")


if __name__ == "__main__":
    main()
