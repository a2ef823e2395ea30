"""Seed-bank accession triage: will a stored accession fail its next germination test?

Each row is one accession in cold storage (moisture, storage temperature, years since
banking, seed mass, last test's germination %, X-ray fill score, species group).
Failures are the rare, costly class: a failed accession must be regenerated in the field.
Lightning module, tabular MLP, class-weighted cross-entropy.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning.pytorch as pl
from torch.utils.data import DataLoader, TensorDataset

SEED = 11
GROUPS = ["cereal", "legume", "brassica", "solanaceae", "wild_relative"]


def load_accessions(n=4000, seed=SEED):
    rng = np.random.default_rng(seed)
    group = rng.integers(0, len(GROUPS), n)
    moisture = rng.normal(6.5, 1.4, n).clip(3, 12)            # % fresh weight
    temp = rng.choice([-20.0, -18.0, 4.0, 5.0], n, p=[0.5, 0.2, 0.2, 0.1])
    years = rng.gamma(2.2, 7.0, n)
    mass = rng.lognormal(np.array([3.2, 5.5, 1.0, 1.3, 2.0])[group], 0.4)   # mg per 100 seeds
    last_germ = (95 - 0.9 * years + rng.normal(0, 5, n)).clip(20, 100)
    xray = (0.92 - 0.006 * years + rng.normal(0, 0.05, n)).clip(0.3, 1.0)
    group_risk = np.array([-0.3, 0.2, 0.5, 0.0, 0.9])[group]
    logit = (-4.6 + 0.9 * (moisture - 6.5) + 0.07 * (temp + 20) + 0.11 * (years - 15)
             - 0.08 * (last_germ - 80) - 6.0 * (xray - 0.85) + group_risk
             + rng.normal(0, 1.0, n))
    fail = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    cont = np.stack([moisture, temp, years, np.log(mass), last_germ, xray], 1)
    return cont.astype(np.float32), np.eye(len(GROUPS))[group].astype(np.float32), fail


class AccessionClassifier(pl.LightningModule):
    def __init__(self, d_in, class_weights, lr=1e-3):
        super().__init__()
        self.save_hyperparameters(ignore=["class_weights"])
        self.register_buffer("class_weights", class_weights)
        self.body = nn.Sequential(
            nn.Linear(d_in, 96), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(96, 48), nn.ReLU(),
            nn.Linear(48, 2),
        )

    def forward(self, x):
        return self.body(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y, weight=self.class_weights)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        loss = F.cross_entropy(logits, y, weight=self.class_weights)
        pred = logits.argmax(1)
        recall_fail = ((pred == 1) & (y == 1)).sum() / (y == 1).sum().clamp(min=1)
        self.log("val_loss", loss)
        self.log("val_recall_fail", recall_fail)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    pl.seed_everything(SEED, workers=True)
    cont, onehot, y = load_accessions()
    rng = np.random.default_rng(SEED + 1)
    idx = rng.permutation(len(y))
    tr, va = idx[:3200], idx[3200:]
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - mu) / sd, onehot], 1).astype(np.float32)

    counts = np.bincount(y[tr], minlength=2).astype(np.float32)
    class_weights = torch.tensor(counts.sum() / (2 * counts))
    print(f"train failures: {int(counts[1])}/{len(tr)} ({counts[1] / len(tr):.1%}); class weights {class_weights.tolist()}")

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=400)

    model = AccessionClassifier(X.shape[1], class_weights, lr=2e-3)
    trainer = pl.Trainer(max_epochs=10, accelerator="cpu", devices=1, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, deterministic=True)
    trainer.fit(model, train_loader, val_loader)

    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(X[va])).argmax(1).numpy()
    yv = y[va]
    recalls = [float(((pred == c) & (yv == c)).sum() / max((yv == c).sum(), 1)) for c in (0, 1)]
    acc = float((pred == yv).mean())
    print(f"FINAL val_acc={acc:.4f} val_balanced_acc={np.mean(recalls):.4f} "
          f"recall_ok={recalls[0]:.3f} recall_fail={recalls[1]:.3f} majority_share={float((yv == 0).mean()):.4f}")


if __name__ == "__main__":
    main()
