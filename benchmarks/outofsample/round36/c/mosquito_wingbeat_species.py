"""Mosquito species from optical wingbeat recordings (Lightning).

Each recording from the trap's photodiode is summarised by its fundamental wingbeat
frequency, the relative power of the first harmonics, the spectral centroid/flatness and
the trap's air temperature. Eight species are told apart, females and males pooled.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning.pytorch as pl

SPECIES = ["Ae. aegypti", "Ae. albopictus", "Cx. pipiens", "Cx. quinquefasciatus",
           "An. gambiae", "An. arabiensis", "Cs. annulata", "Cs. morsitans"]


def simulate_recordings(n, rng):
    k = len(SPECIES)
    sp = rng.integers(0, k, n)
    f0_base = np.array([485, 505, 405, 420, 465, 480, 360, 372.0])
    genus = np.repeat(rng.normal(0, 1, (k // 2, 6)), 2, axis=0)
    h_shape = genus + 0.45 * rng.normal(0, 1, (k, 6))
    temp = rng.uniform(18, 32, n)
    male = rng.random(n) < 0.3
    f0 = f0_base[sp] * (1 + 0.018 * (temp - 25)) * np.where(male, 1.55, 1.0) + rng.normal(0, 24, n)
    harm = h_shape[sp] * 0.9 + rng.normal(0, 1.0, (n, 6)) + 0.35 * male[:, None]
    centroid = f0 * (2.1 + 0.25 * harm[:, 0] - 0.15 * harm[:, 2]) + rng.normal(0, 40, n)
    flatness = 0.3 + 0.05 * harm[:, 3] * harm[:, 4] + rng.normal(0, 0.05, n)
    duration = rng.gamma(3.0, 0.08, n)
    X = np.column_stack([f0, harm, centroid, flatness, temp, duration, np.log(duration)])
    return X.astype(np.float32), sp


class WingbeatClassifier(pl.LightningModule):
    def __init__(self, d_in, n_classes, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(d_in, 128), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(128, 128), nn.ReLU(),
            nn.Linear(128, n_classes),
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        loss = F.l1_loss(logits, F.one_hot(y, self.hparams.n_classes).float())
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        acc = (self(x).argmax(1) == y).float().mean()
        self.log("val_acc", acc, prog_bar=False)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


def balanced_accuracy(pred, y, k):
    return float(np.mean([(pred[y == c] == c).mean() for c in range(k)]))


def main():
    pl.seed_everything(11, verbose=False)
    rng = np.random.default_rng(11)
    X, y = simulate_recordings(5000, rng)
    idx = rng.permutation(len(X))
    tr, va, te = idx[:3600], idx[3600:4200], idx[4200:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd

    def loader(rows, shuffle):
        ds = TensorDataset(torch.from_numpy(X[rows]), torch.from_numpy(y[rows]).long())
        return DataLoader(ds, batch_size=64, shuffle=shuffle)

    model = WingbeatClassifier(X.shape[1], len(SPECIES))
    trainer = pl.Trainer(max_epochs=12, accelerator="cpu", logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, loader(tr, True), loader(va, False))

    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(X[te])).argmax(1).numpy()
    print(f"val_acc {trainer.callback_metrics['val_acc'].item():.4f}")
    print(f"test balanced accuracy {balanced_accuracy(pred, y[te], len(SPECIES)):.4f}")


if __name__ == "__main__":
    main()
