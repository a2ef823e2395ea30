"""Emergency vet triage: routine / urgent / critical from the intake sheet.

Lightning module over the intake vitals; rare classes are reweighted in the loss.
Usage: python vet_triage.py [--epochs 12]
"""
import argparse

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning.pytorch as pl

CLASSES = ["routine", "urgent", "critical"]


def intake_sheets(n, rng):
    level = rng.choice(3, size=n, p=[0.86, 0.10, 0.04])
    sev = np.array([0.0, 1.0, 2.2])[level] + rng.normal(0, 0.6, n)
    species = rng.integers(0, 2, n)                                   # 0 dog, 1 cat
    age = rng.gamma(2.0, 3.0, n)
    weight = np.where(species == 1, rng.normal(4.5, 1.2, n), rng.lognormal(3.0, 0.6, n))
    hr = np.where(species == 1, 180, 100) + 22 * sev + rng.normal(0, 18, n)
    rr = 24 + 9 * sev + rng.normal(0, 7, n)
    temp = 38.6 + rng.normal(0, 0.5, n) - 0.35 * sev * rng.choice([-1, 1], n, p=[0.3, 0.7])
    crt = 1.5 + 0.7 * sev + rng.gamma(1.5, 0.3, n)                    # capillary refill, s
    lactate = np.exp(0.7 + 0.45 * sev + rng.normal(0, 0.35, n))
    pcv = 45 - 4 * sev * (rng.random(n) < 0.5) + rng.normal(0, 5, n)
    sbp = 130 - 18 * sev + rng.normal(0, 16, n)
    pain = np.clip(np.round(1 + 0.9 * sev + rng.normal(0, 0.9, n)), 0, 4)
    membranes = np.where(sev + rng.normal(0, 0.6, n) > 1.6, rng.integers(1, 4, n), 0)  # pink/pale/grey/injected
    num = np.column_stack([age, np.log(weight), hr, rr, temp, crt, np.log(lactate), pcv, sbp, pain])
    cat = np.column_stack([np.eye(2)[species], np.eye(4)[membranes]])
    return num.astype(np.float32), cat.astype(np.float32), level


class TriageNet(pl.LightningModule):
    def __init__(self, n_in, class_weights, lr=3e-3):
        super().__init__()
        self.save_hyperparameters(ignore=["class_weights"])
        self.register_buffer("class_weights", class_weights)
        self.net = nn.Sequential(
            nn.Linear(n_in, 96), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(96, 48), nn.ReLU(),
            nn.Linear(48, len(CLASSES)))

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, _):
        x, y = batch
        loss = F.cross_entropy(self(x), y, weight=self.class_weights)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y, weight=self.class_weights), prog_bar=False)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=12)
    args = ap.parse_args()
    pl.seed_everything(2024, verbose=False)
    rng = np.random.default_rng(2024)

    num, cat, y = intake_sheets(4000, rng)
    n_tr = 3000
    mu, sd = num[:n_tr].mean(0), num[:n_tr].std(0)
    X = np.concatenate([(num - mu) / sd, cat], 1).astype(np.float32)
    X, y = torch.from_numpy(X), torch.from_numpy(y).long()

    counts = np.bincount(y[:n_tr].numpy(), minlength=len(CLASSES)).astype(np.float32)
    class_weights = torch.tensor(counts / counts.sum())

    train_dl = DataLoader(TensorDataset(X[:n_tr], y[:n_tr]), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(X[n_tr:], y[n_tr:]), batch_size=256)

    model = TriageNet(X.shape[1], class_weights)
    trainer = pl.Trainer(max_epochs=args.epochs, accelerator="cpu", devices=1, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        pred = model(X[n_tr:]).argmax(1)
    yv = y[n_tr:]
    recalls = [((pred == c) & (yv == c)).sum().item() / max((yv == c).sum().item(), 1)
               for c in range(len(CLASSES))]
    acc = (pred == yv).float().mean().item()
    print("per-class recall", {c: round(r, 3) for c, r in zip(CLASSES, recalls)})
    print(f"val accuracy {acc:.4f}  balanced accuracy {np.mean(recalls):.4f}")


if __name__ == "__main__":
    main()
