"""Surface-defect classification on grayscale inspection patches (20x20).

Synthetic patches of brushed metal: oriented grain plus sensor noise; defect classes are a
scratch, a pit cluster, a stain or clean. Small CNN, Adam, cross-entropy; the trained model is
saved whole with torch.save and reloaded for the test pass. Prints per-epoch train/val loss.
"""
import os
import tempfile
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

SIZE = 20
torch.manual_seed(21)


def patches(n, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    X = np.zeros((n, 1, SIZE, SIZE), np.float32)
    y = rng.integers(0, 4, n)
    for k in range(n):
        ang = rng.uniform(0, np.pi)
        grain = 0.4 * np.sin((np.cos(ang) * xx + np.sin(ang) * yy) * rng.uniform(1.2, 2.0) + rng.uniform(0, 6.3))
        img = grain + rng.normal(0, 0.6, (SIZE, SIZE))
        cx, cy = rng.uniform(4, SIZE - 4, 2)
        if y[k] == 1:    # scratch: thin bright line
            a = rng.uniform(0, np.pi)
            d = np.abs(-np.sin(a) * (xx - cx) + np.cos(a) * (yy - cy))
            along = np.abs(np.cos(a) * (xx - cx) + np.sin(a) * (yy - cy))
            img += 1.0 * ((d < 0.8) & (along < rng.uniform(4, 8)))
        elif y[k] == 2:  # pits: a few dark dots
            for _ in range(rng.integers(3, 6)):
                px, py = cx + rng.normal(0, 2.5), cy + rng.normal(0, 2.5)
                img -= 1.0 * np.exp(-((xx - px) ** 2 + (yy - py) ** 2) / 0.8)
        elif y[k] == 3:  # stain: broad low-contrast blob
            r = rng.uniform(3, 5)
            img += 0.55 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        X[k, 0] = img
    return torch.from_numpy(X), torch.from_numpy(y).long()


class Patches(torch.utils.data.Dataset):
    def __init__(self, X, y, augment):
        self.X, self.y, self.augment = X, y, augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.augment:  # inspection patches have no canonical orientation
            x = torch.rot90(x, int(torch.randint(4, ())), dims=(1, 2))
            if torch.rand(()) < 0.5:
                x = x.flip(2)
            x = torch.roll(x, tuple(torch.randint(-3, 4, (2,)).tolist()), dims=(1, 2))
        return x, self.y[i]


class DefectNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 24, 3, padding=1), nn.ReLU(), nn.Conv2d(24, 24, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(24, 48, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(48 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 4))

    def forward(self, x):
        return self.classifier(self.features(x))


def run_epoch(model, loader, criterion, optimizer=None):
    model.train(optimizer is not None)
    total, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(optimizer is not None):
        for xb, yb in loader:
            out = model(xb)
            loss = criterion(out, yb)
            if optimizer is not None:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return total / n, correct / n


def main():
    rng = np.random.default_rng(21)
    X, y = patches(900, rng)
    X = (X - X[:400].mean()) / X[:400].std()
    # 400 labelled patches for training; the rest were graded later for validation and test
    train = DataLoader(Patches(X[:400], y[:400], augment=False), batch_size=32, shuffle=True)
    val = DataLoader(Patches(X[400:650], y[400:650], augment=False), batch_size=250)
    test = DataLoader(Patches(X[650:], y[650:], augment=False), batch_size=250)

    model = DefectNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(1, 31):
        tr_loss, tr_acc = run_epoch(model, train, criterion, optimizer)
        va_loss, va_acc = run_epoch(model, val, criterion)
        print(f"epoch {epoch:2d} train_loss {tr_loss:.4f} train_acc {tr_acc:.3f} val_loss {va_loss:.4f} val_acc {va_acc:.3f}")

    path = os.path.join(tempfile.mkdtemp(), "defectnet.pt")
    torch.save(model, path)
    restored = torch.load(path, weights_only=False)
    te_loss, te_acc = run_epoch(restored, test, criterion)
    print(f"test_loss {te_loss:.4f} test_acc {te_acc:.4f}")


if __name__ == "__main__":
    main()
