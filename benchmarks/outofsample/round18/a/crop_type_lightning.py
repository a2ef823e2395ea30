"""Crop-type mapping from a season of NDVI composites (26 bi-weekly values per field parcel).

Labels are the declared crop codes from the parcel register:
0 winter wheat, 1 maize, 2 soybean, 3 sunflower, 4 sugar beet, 5 grassland.
Small MLP in PyTorch Lightning; cloud-contaminated composites are gap-filled upstream.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

N_STEPS = 26
CROPS = ["winter_wheat", "maize", "soybean", "sunflower", "sugar_beet", "grassland"]
#              green-up  senescence  peak   base
PHENOLOGY = [(5.0, 14.0, 0.80, 0.30),
             (10.0, 19.5, 0.85, 0.20),
             (11.0, 19.0, 0.82, 0.20),
             (9.0, 16.5, 0.70, 0.20),
             (9.5, 22.0, 0.78, 0.20),
             (4.0, 24.0, 0.60, 0.45)]


def make_parcels(n, rng):
    t = np.arange(N_STEPS, dtype=np.float32)
    y = rng.integers(0, len(CROPS), n)
    X = np.empty((n, N_STEPS), np.float32)
    for i, c in enumerate(y):
        up, down, peak, base = PHENOLOGY[c]
        up += rng.normal(0, 1.0)
        down += rng.normal(0, 1.0)
        peak *= rng.uniform(0.85, 1.1)
        curve = base + (peak - base) * (1 / (1 + np.exp(-(t - up) / 1.2))
                                        - 1 / (1 + np.exp(-(t - down) / 1.2)))
        curve += rng.normal(0, 0.04, N_STEPS)
        X[i] = np.clip(curve, -0.1, 1.0)
    return X, y


class CropNet(L.LightningModule):
    def __init__(self, n_in, n_classes, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.body = nn.Sequential(nn.Linear(n_in, 128), nn.GELU(), nn.Linear(128, 64), nn.GELU())
        self.head = nn.Linear(64, 1)

    def forward(self, x):
        return self.head(self.body(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.mse_loss(self(x).squeeze(-1), y.float())
        self.log("train_loss", loss)
        return loss

    def predict_labels(self, x):
        return self(x).squeeze(-1).round().clamp(0, self.hparams.n_classes - 1).long()

    def validation_step(self, batch, batch_idx):
        x, y = batch
        acc = (self.predict_labels(x) == y).float().mean()
        self.log("val_acc", acc)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=self.hparams.lr,
                                                    total_steps=self.trainer.estimated_stepping_batches)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def main():
    L.seed_everything(5, workers=True)
    rng = np.random.default_rng(5)
    X, y = make_parcels(3000, rng)
    mu, sd = X[:2400].mean(), X[:2400].std()
    X = (X - mu) / sd
    tr = TensorDataset(torch.from_numpy(X[:2400]), torch.from_numpy(y[:2400]))
    va = TensorDataset(torch.from_numpy(X[2400:]), torch.from_numpy(y[2400:]))
    train_dl = DataLoader(tr, batch_size=64, shuffle=True)
    val_dl = DataLoader(va, batch_size=600)

    model = CropNet(N_STEPS, len(CROPS))
    trainer = L.Trainer(max_epochs=20, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, deterministic=True)
    trainer.fit(model, train_dl, val_dl)
    acc = trainer.validate(model, val_dl, verbose=False)[0]["val_acc"]
    print(f"final val_accuracy={acc:.4f}")


if __name__ == "__main__":
    main()
