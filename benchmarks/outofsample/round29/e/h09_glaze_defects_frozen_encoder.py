"""Pottery glazes: classify firing defects from 24x24 laser-profilometer tiles of a glazed
surface. Classes: sound glaze, crawling (bare patches with a rolled rim), pinholes,
crazing (a network of hairline cracks) and blistering (raised bubbles). Most tiles are sound.

There are many unlabelled tiles from the line scanner, so a convolutional autoencoder is
first trained on them; its first two conv layers are then frozen as a fixed feature
extractor, and only the third conv layer and the classifier are trained on the labelled
tiles, with a class-weighted cross-entropy for the rare defects.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(13)
rng = np.random.default_rng(13)
S = 24
CLASSES = ["sound", "crawling", "pinholes", "crazing", "blistering"]
PRIOR = [0.70, 0.09, 0.09, 0.07, 0.05]
yy, xx = np.mgrid[0:S, 0:S]


def tile(c):
    a, b = rng.uniform(0, 2 * np.pi, 2)
    img = 0.3 * np.sin(xx / rng.uniform(5, 12) + a) * np.cos(yy / rng.uniform(5, 12) + b)
    img += rng.normal(0, 0.2, (S, S))
    if c == 1:
        for _ in range(rng.integers(1, 3)):
            cy, cx, r = rng.uniform(4, 20), rng.uniform(4, 20), rng.uniform(2.0, 4.0)
            d = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)
            img -= 1.1 * (d < r)
            img += 0.6 * ((d >= r) & (d < r + 1.5))
    elif c == 2:
        for _ in range(rng.integers(3, 8)):
            py, px = rng.integers(1, S - 1, 2)
            img[py, px] -= rng.uniform(0.9, 1.6)
    elif c == 3:
        for _ in range(rng.integers(2, 5)):
            th = rng.uniform(0, np.pi)
            off = rng.uniform(-8, 8)
            dist = np.abs((xx - S / 2) * np.cos(th) + (yy - S / 2) * np.sin(th) - off)
            img -= 0.65 * (dist < 0.6)
    elif c == 4:
        for _ in range(rng.integers(1, 4)):
            cy, cx, r = rng.uniform(3, 21), rng.uniform(3, 21), rng.uniform(1.5, 2.8)
            d = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)
            img += 0.95 * np.clip(1 - (d / r) ** 2, 0, None)
    return img.astype(np.float32)


def tiles(n):
    y = rng.choice(len(CLASSES), size=n, p=PRIOR)
    return np.stack([tile(c) for c in y])[:, None], y


X_unlab, _ = tiles(3000)                    # scanner tiles without labels
X, y = tiles(2000)
Xtr, ytr, Xva, yva = X[:1500], y[:1500], X[1500:], y[1500:]
mu, sd = X_unlab.mean(), X_unlab.std()
X_unlab, Xtr, Xva = (X_unlab - mu) / sd, (Xtr - mu) / sd, (Xva - mu) / sd


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU())
        self.conv2 = nn.Sequential(nn.Conv2d(16, 32, 3, padding=1, stride=2), nn.ReLU())

    def forward(self, x):
        return self.conv2(self.conv1(x))


encoder = Encoder()
decoder = nn.Sequential(nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.ReLU(), nn.Conv2d(16, 1, 3, padding=1))
ae_opt = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=2e-3)
ae_loader = DataLoader(TensorDataset(torch.from_numpy(X_unlab)), batch_size=128, shuffle=True)
for epoch in range(3):
    tot = 0.0
    for (xb,) in ae_loader:
        ae_opt.zero_grad()
        rec = nn.functional.mse_loss(decoder(encoder(xb)), xb)
        rec.backward()
        ae_opt.step()
        tot += rec.item() * len(xb)
    print(f"autoencoder epoch {epoch} recon_mse {tot / len(X_unlab):.4f}")


class DefectNet(nn.Module):
    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder
        self.conv3 = nn.Sequential(nn.Conv2d(32, 48, 3, padding=1), nn.ReLU())
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(48 * 2, 64), nn.ReLU(), nn.Linear(64, len(CLASSES)))

    def forward(self, x):
        h = self.conv3(self.encoder(x))
        pooled = torch.cat([h.amax(dim=(2, 3)), h.mean(dim=(2, 3))], 1)
        return self.head(pooled)


model = DefectNet(encoder)
for p in model.encoder.parameters():
    p.requires_grad_(False)

counts = np.bincount(ytr, minlength=len(CLASSES))
class_weight = torch.tensor(len(ytr) / (len(CLASSES) * counts), dtype=torch.float32)
criterion = nn.CrossEntropyLoss(weight=class_weight)
optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=6e-3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=14, eta_min=5e-5)
train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
Xva_t, yva_t = torch.from_numpy(Xva), torch.from_numpy(yva)


def balanced_accuracy(pred, true):
    return float(np.mean([(pred[true == k] == k).mean() for k in range(len(CLASSES)) if (true == k).any()]))


for epoch in range(14):
    model.train()
    tot = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        tot += loss.item() * len(yb)
    scheduler.step()
    model.eval()
    with torch.no_grad():
        logits = model(Xva_t)
        val_loss = criterion(logits, yva_t).item()
    bacc = balanced_accuracy(logits.argmax(1).numpy(), yva)
    print(f"epoch {epoch:2d} train_wce {tot / len(ytr):.4f} val_wce {val_loss:.4f} val_bal_acc {bacc:.3f}")

acc = (logits.argmax(1) == yva_t).float().mean().item()
print(f"final val balanced_acc {bacc:.4f} accuracy {acc:.4f}")
