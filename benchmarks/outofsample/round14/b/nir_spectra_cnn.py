"""Material identification from near-infrared spectra with a small 1-D CNN.

Spectra are SNV-normalised (standard normal variate, per spectrum) as usual in
chemometrics. Only a few reference spectra per material exist, so the network
carries its own augmentation layer (random wavelength shift, baseline tilt and
detector noise, active in training mode only, like torchaudio's SpecAugment
modules), followed by conv-BN-ReLU blocks with dropout before the head.
The best epoch (validation accuracy) is checkpointed with torch.save and
reloaded for the final test score.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

N_BANDS = 256
N_CLASSES = 8


def synth_spectra(n, rng):
    grid = np.linspace(0, 1, N_BANDS)
    centers = rng.uniform(0.08, 0.92, (N_CLASSES, 4))
    centers = np.sort(centers, axis=1)
    # classes share their first peak with a neighbour class: hard pairs
    centers[1::2, :3] = centers[0::2, :3]
    widths = rng.uniform(0.01, 0.04, (N_CLASSES, 4))
    heights = rng.uniform(0.3, 1.0, (N_CLASSES, 4))
    y = rng.integers(0, N_CLASSES, n)
    X = np.empty((n, N_BANDS), np.float32)
    for k in range(n):
        c = y[k]
        shift = rng.normal(0, 0.03)
        s = np.zeros(N_BANDS)
        for j in range(4):
            h = heights[c, j] * rng.uniform(0.4, 1.6)
            s += h * np.exp(-0.5 * ((grid - centers[c, j] - shift) / (widths[c, j] * rng.uniform(0.8, 1.25))) ** 2)
        baseline = rng.normal(0, 0.6) + rng.normal(0, 0.8) * grid + rng.normal(0, 0.6) * grid ** 2
        X[k] = s + baseline + rng.normal(0, 0.35, N_BANDS)
    return X, y


def snv(X):
    return (X - X.mean(1, keepdims=True)) / X.std(1, keepdims=True)


class SpectralJitter(nn.Module):
    """Training-time augmentation: shift along the wavelength axis, tilt the
    baseline, add white noise. Identity in eval mode."""

    def __init__(self, max_shift=8, tilt=0.3, noise=0.15):
        super().__init__()
        self.max_shift, self.tilt, self.noise = max_shift, tilt, noise

    def forward(self, x):
        if not self.training:
            return x
        n, length = x.shape
        shifts = torch.randint(-self.max_shift, self.max_shift + 1, (n,))
        idx = (torch.arange(length).unsqueeze(0) - shifts.unsqueeze(1)).clamp(0, length - 1)
        x = torch.gather(x, 1, idx)
        ramp = torch.linspace(-1, 1, length).unsqueeze(0)
        x = x + self.tilt * torch.randn(n, 1) * ramp + self.noise * torch.randn_like(x)
        return x


class SpectraNet(nn.Module):
    def __init__(self, n_classes=N_CLASSES):
        super().__init__()
        self.augment = SpectralJitter()

        def block(cin, cout):
            return nn.Sequential(nn.Conv1d(cin, cout, 7, padding=3), nn.BatchNorm1d(cout),
                                 nn.ReLU(), nn.MaxPool1d(2))

        self.features = nn.Sequential(block(1, 16), block(16, 32), block(32, 32), block(32, 64))
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(64 * 16, 128),
                                  nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, n_classes))

    def forward(self, x):
        return self.head(self.features(self.augment(x).unsqueeze(1)))


def train_one_epoch(model, loader, optimizer):
    total, n = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        n += len(yb)
    return total / n


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct, loss, n = 0, 0.0, 0
    for xb, yb in loader:
        out = model(xb)
        loss += F.cross_entropy(out, yb).item() * len(yb)
        correct += (out.argmax(1) == yb).sum().item()
        n += len(yb)
    return loss / n, correct / n


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = synth_spectra(1440, rng)
    X = snv(X).astype(np.float32)
    Xtr, ytr = X[:240], y[:240]
    Xva, yva = X[240:640], y[240:640]
    Xte, yte = X[640:], y[640:]
    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                              batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=256)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(Xte), torch.from_numpy(yte)), batch_size=256)

    model = SpectraNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=12, gamma=0.3)
    ckpt = os.path.join(tempfile.mkdtemp(), "spectranet_best.pt")

    best = -1.0
    model.train()
    for epoch in range(1, 31):
        train_loss = train_one_epoch(model, train_loader, optimizer)
        scheduler.step()
        val_loss, val_acc = evaluate(model, val_loader)
        if val_acc > best:
            best = val_acc
            torch.save(model, ckpt)
        print(f"epoch {epoch:2d} train_loss {train_loss:.4f} val_loss {val_loss:.4f} val_acc {val_acc:.3f}")

    model = torch.load(ckpt, weights_only=False)
    test_loss, test_acc = evaluate(model, test_loader)
    print(f"best val_acc {best:.3f} | test_loss {test_loss:.4f} test_acc {test_acc:.3f}")


if __name__ == "__main__":
    main()
