"""Road-surface condition from dash-cam patches (grayscale 32x32, downsampled).

Five classes: dry asphalt, wet asphalt, gravel, cracked asphalt, pothole. Training uses
light augmentation (horizontal flips, random crops from a reflect-padded patch,
brightness/contrast jitter for changing daylight), SGD with Nesterov momentum and a
cosine schedule. The best model is written with torch.save and reloaded for the final
evaluation, the same file the deployment job picks up.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(5)
rng = np.random.default_rng(5)
CLASSES = ["dry", "wet", "gravel", "cracked", "pothole"]
S = 32


def smooth_noise(scale, sigma):
    n = rng.normal(0, 1, (S + 8, S + 8))
    k = np.exp(-0.5 * (np.arange(-4, 5) / sigma) ** 2)
    k /= k.sum()
    n = np.apply_along_axis(lambda r: np.convolve(r, k, "same"), 0, n)
    n = np.apply_along_axis(lambda r: np.convolve(r, k, "same"), 1, n)
    return scale * n[4:-4, 4:-4] / (n.std() + 1e-8)


def patch(c):
    yy, xx = np.mgrid[0:S, 0:S]
    base = rng.uniform(0.35, 0.55) + rng.normal(0, 0.06, (S, S))  # fine asphalt grain
    if c == 0:
        img = base
    elif c == 1:
        img = base * 0.8 + smooth_noise(0.04, 3.0)
        for _ in range(rng.integers(0, 3)):  # specular glints
            cy, cx, r = rng.uniform(0, S, 2).tolist() + [rng.uniform(2, 5)]
            img += rng.uniform(0.1, 0.25) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
    elif c == 2:
        img = base + smooth_noise(0.06, 1.2)
    elif c == 3:
        img = base.copy()
        for _ in range(rng.integers(1, 3)):
            ang, off = rng.uniform(0, np.pi), rng.uniform(-8, 8)
            d = np.abs((xx - S / 2) * np.sin(ang) - (yy - S / 2) * np.cos(ang) - off)
            img -= 0.2 * (d < rng.uniform(0.5, 1.1)) * (rng.random((S, S)) < 0.7)
    else:
        img = base.copy()
        cy, cx = rng.uniform(8, 24, 2)
        ry, rx = rng.uniform(3, 7, 2)
        inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 < 1
        img[inside] = img[inside] * 0.65 + smooth_noise(0.04, 2.0)[inside]
    img = img * rng.uniform(0.75, 1.25) + rng.uniform(-0.1, 0.1)  # exposure
    img = img + rng.normal(0, 0.07, (S, S))  # sensor noise
    return np.clip(img, 0, 1).astype(np.float32)


def make(n):
    y = rng.choice(5, n, p=[0.28, 0.2, 0.2, 0.2, 0.12])
    return np.stack([patch(c) for c in y])[:, None], y


X_tr, y_tr = make(1400)
X_va, y_va = make(400)
MEAN, STD = float(X_tr.mean()), float(X_tr.std())


class Patches(Dataset):
    def __init__(self, X, y, augment):
        self.X, self.y, self.augment = torch.from_numpy(X), torch.from_numpy(y), augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.augment:
            if torch.rand(()) < 0.5:
                x = x.flip(-1)
            x = F.pad(x[None], (4, 4, 4, 4), mode="reflect")[0]
            dy, dx = torch.randint(0, 9, (2,)).tolist()
            x = x[:, dy:dy + S, dx:dx + S]
            x = x * (1 + 0.15 * (torch.rand(()) - 0.5)) + 0.1 * (torch.rand(()) - 0.5)
        return (x - MEAN) / STD, self.y[i]


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class SurfaceNet(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        self.features = nn.Sequential(block(1, 16), nn.MaxPool2d(2), block(16, 32), nn.MaxPool2d(2),
                                      block(32, 48), nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(48, n_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


def train_epoch(model, loader, optimizer):
    model.train()
    total, n = 0.0, 0
    for x, y in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        n += len(y)
    return total / n


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct, total_loss, n = 0, 0.0, 0
    for x, y in loader:
        out = model(x)
        total_loss += F.cross_entropy(out, y).item() * len(y)
        correct += (out.argmax(1) == y).sum().item()
        n += len(y)
    return total_loss / n, correct / n


def main():
    train_loader = DataLoader(Patches(X_tr, y_tr, augment=True), batch_size=64, shuffle=True)
    val_loader = DataLoader(Patches(X_va, y_va, augment=False), batch_size=200)
    model = SurfaceNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.03, momentum=0.9, nesterov=True,
                                weight_decay=5e-4)
    epochs = 14
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    ckpt = os.path.join(tempfile.mkdtemp(), "road_surface_best.pt")
    best = 0.0
    for epoch in range(1, epochs + 1):
        tr_loss = train_epoch(model, train_loader, optimizer)
        scheduler.step()
        va_loss, va_acc = evaluate(model, val_loader)
        print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.4f} train {tr_loss:.4f} "
              f"val {va_loss:.4f} acc {va_acc:.3f}")
        if va_acc > best:
            best = va_acc
            torch.save(model, ckpt)

    deployed = torch.load(ckpt, weights_only=False)
    _, acc = evaluate(deployed, val_loader)
    print(f"reloaded checkpoint: val accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
