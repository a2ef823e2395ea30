"""Galaxy morphology from survey cutouts (smooth / spiral / edge-on / merging).

Cutouts are asinh-stretched, standardised with training statistics and augmented with
the dihedral group (morphology does not care about orientation). Training runs under
bfloat16 autocast; an exponential moving average of the weights (a deepcopy of the model)
is what gets evaluated and shipped, saved whole with torch.save and reloaded for the
final score.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["smooth", "spiral", "edge_on", "merger"]
SIZE = 32


def render(kind, rng):
    yy, xx = np.mgrid[:SIZE, :SIZE].astype(np.float32) - (SIZE - 1) / 2
    cx, cy = rng.normal(0, 1.2, 2)
    x, y = xx - cx, yy - cy
    theta = rng.uniform(0, np.pi)
    xr = x * np.cos(theta) + y * np.sin(theta)
    yr = -x * np.sin(theta) + y * np.cos(theta)
    re = rng.uniform(3.0, 6.5)
    flux = rng.uniform(0.6, 1.4)
    if kind == 0:                                   # elliptical: de Vaucouleurs-like, mild flattening
        q = rng.uniform(0.6, 1.0)
        r = np.sqrt(xr ** 2 + (yr / q) ** 2)
        img = np.exp(-7.67 * ((r / re) ** 0.25 - 1))
        img /= img.max()
    elif kind == 1:                                 # face-on spiral: bulge + exponential disk with arms
        q = rng.uniform(0.7, 1.0)
        r = np.sqrt(xr ** 2 + (yr / q) ** 2) + 1e-3
        phi = np.arctan2(yr / q, xr)
        pitch = rng.uniform(0.25, 0.5)
        arms = 1 + 0.8 * np.cos(2 * (phi - np.log(r) / np.tan(pitch)))
        img = 0.35 * np.exp(-r / (0.25 * re)) + np.exp(-r / re) * arms * 0.6
    elif kind == 2:                                 # edge-on disk: thin, long, sometimes a dust lane
        q = rng.uniform(0.12, 0.3)
        img = np.exp(-np.abs(xr) / re - np.abs(yr) / (q * re))
        if rng.random() < 0.5:
            img *= 1 - 0.5 * np.exp(-(yr / 0.6) ** 2)
    else:                                           # merger: two offset components, tidal asymmetry
        sep = rng.uniform(4, 9)
        r1 = np.sqrt((xr - sep / 2) ** 2 + yr ** 2)
        r2 = np.sqrt((xr + sep / 2) ** 2 + (yr * rng.uniform(0.6, 1.0)) ** 2)
        img = np.exp(-r1 / (0.5 * re)) + rng.uniform(0.3, 1.0) * np.exp(-r2 / (0.4 * re))
        img += 0.25 * np.exp(-np.abs(yr - 0.15 * xr ** 2 / sep) / 1.5 - np.abs(xr) / (2 * re))
    img = flux * img / img.max()
    # PSF: separable Gaussian blur; sky noise
    k = np.exp(-0.5 * (np.arange(-3, 4) / rng.uniform(0.8, 1.6)) ** 2)
    k /= k.sum()
    blur = np.zeros((SIZE, SIZE))
    for i in range(SIZE):
        for j, w in zip(range(i - 3, i + 4), k):
            if 0 <= j < SIZE:
                blur[i, j] = w
    img = blur @ img @ blur.T
    img += rng.normal(0, rng.uniform(0.03, 0.09), img.shape)
    return np.arcsinh(img / 0.05)


def make_tiles(n, rng):
    y = rng.integers(0, 4, n)
    X = np.stack([render(k, rng) for k in y])[:, None].astype(np.float32)
    return X, y


def dihedral(x):
    k = int(torch.randint(0, 4, ()))
    x = torch.rot90(x, k, dims=(2, 3))
    if torch.rand(()) < 0.5:
        x = torch.flip(x, dims=(3,))
    return x


class MorphNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()

        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                                 nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                                 nn.MaxPool2d(2))

        self.features = nn.Sequential(block(1, 16), block(16, 32), block(32, 48))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(48, n_classes))

    def forward(self, x):
        h = self.features(x)
        return self.classifier(F.adaptive_avg_pool2d(h, 1))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        if be.dtype.is_floating_point:
            be.mul_(decay).add_(bm, alpha=1 - decay)
        else:
            be.copy_(bm)


@torch.no_grad()
def accuracy(model, loader):
    model.eval()
    correct = 0
    for xb, yb in loader:
        correct += (model(xb).argmax(1) == yb).sum().item()
    return correct / len(loader.dataset)


def main():
    torch.manual_seed(17)
    rng = np.random.default_rng(17)
    X, y = make_tiles(2600, rng)
    Xtr, ytr, Xva, yva = X[:2000], y[:2000], X[2000:], y[2000:]
    m, s = Xtr.mean(), Xtr.std()
    Xtr, Xva = (Xtr - m) / s, (Xva - m) / s
    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=200)

    model = MorphNet()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    epochs = 10
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(train_loader))

    step = 0
    for epoch in range(1, epochs + 1):
        model.train()
        seen, total = 0, 0.0
        for xb, yb in train_loader:
            xb = dihedral(xb)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(xb)
            loss = F.cross_entropy(logits.float(), yb, label_smoothing=0.05)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            step += 1
            ema_update(ema, model, decay=min(0.98, (1 + step) / (10 + step)))
            total += loss.item() * len(yb)
            seen += len(yb)
        print(f"epoch {epoch} loss {total / seen:.4f}  val acc model {accuracy(model, val_loader):.3f}  "
              f"ema {accuracy(ema, val_loader):.3f}")

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "morphnet_ema.pt")
        torch.save(ema, path)
        shipped = torch.load(path, weights_only=False)
    print(f"final: val accuracy (EMA, reloaded) {accuracy(shipped, val_loader):.3f}")


if __name__ == "__main__":
    main()
