"""Mosaic studio: inspect glass-smalti tesserae on the cutting bench.

A bench camera takes a 12x12 grey patch of each cut tessera; the model sorts them into
0 usable, 1 hairline crack, 2 chipped edge. Defects are rare (about 1 in 5), so the loss
is weighted by inverse class frequency from the training split; the studio cares about
catching defects more than about the overall accuracy. A tessera has no "up", so training
patches are randomly rotated by quarter turns and mirrored.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def bench_patches(n, rng, size=12):
    y = rng.choice(3, n, p=[0.8, 0.12, 0.08])
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    X = np.zeros((n, 1, size, size), np.float32)
    for i in range(n):
        glaze = rng.uniform(0.35, 0.75)
        img = glaze + rng.normal(0, 0.05) * (xx - 0.5) + rng.normal(0, 0.05) * (yy - 0.5)
        img = img + rng.normal(0, 0.03, (size, size))              # glass bubbles / grain
        if y[i] == 1:                                               # hairline crack
            th = rng.uniform(0, np.pi)
            off = rng.uniform(-0.25, 0.25)
            d = np.abs((xx - 0.5) * np.cos(th) + (yy - 0.5) * np.sin(th) - off)
            img -= rng.uniform(0.06, 0.2) * np.exp(-(d / 0.04) ** 2)
        elif y[i] == 2:                                             # chipped corner
            cx, cy = rng.choice([0.0, 1.0], 2)
            r = rng.uniform(0.2, 0.4)
            chip = (xx - cx) ** 2 + (yy - cy) ** 2 < r ** 2
            img[chip] = rng.uniform(0.05, 0.2) + rng.normal(0, 0.03, chip.sum())  # bench shows through
        X[i, 0] = img
    return X, y.astype(np.int64)


class BenchPatches(torch.utils.data.Dataset):
    def __init__(self, X, y, augment=False, seed=0):
        self.X, self.y, self.augment = torch.from_numpy(X), torch.from_numpy(y), augment
        self.g = torch.Generator().manual_seed(seed)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.augment:
            k = int(torch.randint(0, 4, (1,), generator=self.g))
            x = torch.rot90(x, k, dims=(1, 2))
            if torch.rand(1, generator=self.g) < 0.5:
                x = torch.flip(x, dims=(2,))
        return x, self.y[i]


class TesseraNet(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 12, 3, padding=1), nn.BatchNorm2d(12), nn.ReLU(),
            nn.Conv2d(12, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(24, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveMaxPool2d(1),
        )
        self.classifier = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def setup():
    rng = np.random.default_rng(404)
    torch.manual_seed(404)
    X, y = bench_patches(1600, rng)
    X_tr, y_tr, X_va, y_va = X[:1300], y[:1300], X[1300:], y[1300:]
    mean, std = X_tr.mean(), X_tr.std()
    X_tr, X_va = (X_tr - mean) / std, (X_va - mean) / std

    counts = np.bincount(y_tr, minlength=3)
    weights = torch.tensor(len(y_tr) / (3 * counts), dtype=torch.float32)

    return nndoctor.Setup(
        model=TesseraNet(),
        train=BenchPatches(X_tr, y_tr, augment=True, seed=404),
        val=BenchPatches(X_va, y_va),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=32,
    )
