"""Land-cover classification of 12x12 multispectral tiles (B, G, R, NIR reflectance).

Classes: water, broadleaf forest, cropland, grassland, bare soil.
Small CNN, AdamW, EMA of the weights for evaluation; the EMA model is saved whole
and reloaded for the final report.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["water", "forest", "cropland", "grassland", "bare"]
#                       B     G     R     NIR
SIGNATURES = np.array([[0.08, 0.07, 0.05, 0.03],
                       [0.05, 0.09, 0.06, 0.31],
                       [0.05, 0.09, 0.06, 0.46],
                       [0.05, 0.09, 0.06, 0.38],
                       [0.12, 0.15, 0.19, 0.25]], np.float32)


def make_tiles(n, rng, size=12):
    y = rng.integers(0, len(CLASSES), n)
    base = SIGNATURES[y][:, :, None, None]                       # (n, 4, 1, 1)
    illum = rng.uniform(0.85, 1.15, (n, 1, 1, 1)).astype(np.float32)
    # per-band haze / phenology jitter, independent of the class
    haze = rng.normal(1.0, 0.05, (n, 4, 1, 1)).astype(np.float32)
    # low-frequency texture shared by all bands (canopy gaps, field rows, ripples)
    coarse = rng.normal(0, 1, (n, 1, 3, 3)).astype(np.float32)
    texture = np.kron(coarse, np.ones((1, 1, size // 3, size // 3), np.float32))
    x = base * illum * haze * (1 + 0.06 * texture)
    x += rng.normal(0, 0.012, x.shape).astype(np.float32)          # sensor noise
    return x.astype(np.float32), y


class TileNet(nn.Module):
    def __init__(self, n_classes=5, bands=(0, 1, 2)):
        super().__init__()
        self.bands = list(bands)
        c = len(self.bands)
        self.features = nn.Sequential(
            nn.Conv2d(c, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Linear(64, n_classes)

    def forward(self, x):
        x = x[:, self.bands]
        return self.head(torch.flatten(self.features(x), 1))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def accuracy(model, loader):
    model.eval()
    hits = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in loader)
    return hits / len(loader.dataset)


def main():
    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    X, y = make_tiles(3000, rng)
    X_tr, y_tr, X_va, y_va = X[:2400], y[:2400], X[2400:], y[2400:]
    mean = X_tr.mean(axis=(0, 2, 3), keepdims=True)
    std = X_tr.std(axis=(0, 2, 3), keepdims=True)
    X_tr, X_va = (X_tr - mean) / std, (X_va - mean) / std

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)),
                            batch_size=500)

    model = TileNet()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    epochs = 8
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * len(train_loader))

    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            ema_update(ema, model, decay=0.98)
        print(f"epoch {epoch + 1}  last batch loss {loss.item():.4f}  "
              f"val acc (ema) {accuracy(ema, val_loader):.4f}")

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "landcover_ema.pt")
        torch.save(ema, path)
        final = torch.load(path, weights_only=False)
    print(f"final val_accuracy={accuracy(final, val_loader):.4f}")


if __name__ == "__main__":
    main()
