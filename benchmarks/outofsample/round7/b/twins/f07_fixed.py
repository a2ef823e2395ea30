"""Land-cover classification of Sentinel-2-like pixels with PyTorch Lightning.

Each sample is a pixel's 10 band reflectances plus NDVI/NDWI. Training labels come
from the municipal land-use map (rasterised parcels); validation labels come from
the field survey. Reflectances are standardised with training statistics.
"""
import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["water", "forest", "cropland", "grassland", "urban", "bare"]
BANDS = 10


def simulate_pixels(n, rng):
    """Class spectra as a mixture of a few end-member signatures, with illumination and noise."""
    sig_rng = np.random.default_rng(99)
    endmembers = sig_rng.uniform(0.02, 0.5, size=(len(CLASSES), 3, BANDS))   # 3 sub-types per class
    y = rng.integers(0, len(CLASSES), size=n)
    sub = rng.integers(0, 3, size=n)
    refl = endmembers[y, sub] * rng.uniform(0.8, 1.2, size=(n, 1))
    other = rng.integers(0, len(CLASSES), size=n)                            # mixed pixels
    frac = rng.uniform(0, 0.35, size=(n, 1))
    refl = (1 - frac) * refl + frac * endmembers[other, rng.integers(0, 3, size=n)]
    refl = refl + rng.normal(0, 0.02, size=refl.shape)
    red, nir, swir = refl[:, 3], refl[:, 7], refl[:, 8]
    ndvi = (nir - red) / (nir + red + 1e-3)
    ndwi = (nir - swir) / (nir + swir + 1e-3)
    return np.column_stack([refl, ndvi, ndwi]).astype(np.float32), y


def landuse_map_labels(y, rng):
    """Labels as rasterised from the municipal land-use map (last updated years ago)."""
    labels = y.copy()
    changed = rng.random(len(y)) < 0.35
    labels[changed] = rng.integers(0, len(CLASSES), size=changed.sum())
    return labels


class PixelClassifier(L.LightningModule):
    def __init__(self, n_in, n_classes=len(CLASSES), lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, 256), nn.BatchNorm1d(256), nn.ReLU(),
            nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU(),
            nn.Linear(256, n_classes),
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[20, 30], gamma=0.3)
        return [opt], [sched]


def main():
    L.seed_everything(0, verbose=False)
    rng = np.random.default_rng(0)
    X_tr, y_true_tr = simulate_pixels(3000, rng)
    _ = landuse_map_labels(y_true_tr, rng)                       # keep the RNG stream identical
    y_tr = y_true_tr
    X_va, y_va = simulate_pixels(1000, rng)                        # field survey
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)),
                            batch_size=500)
    model = PixelClassifier(X_tr.shape[1])
    trainer = L.Trainer(max_epochs=40, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)
    metrics = trainer.validate(model, val_loader, verbose=False)[0]
    print(f"final val_acc {metrics['val_acc']:.4f} val_loss {metrics['val_loss']:.4f}")


if __name__ == "__main__":
    main()
