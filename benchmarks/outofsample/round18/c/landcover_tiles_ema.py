"""Land-cover classification of 16x16 multispectral tiles (R, G, B, NIR).

Six classes with their own spectral signature and texture (row crops, street grids,
canopy blobs, open water ...), strong per-tile illumination/haze and sensor noise.
Small CNN with global average pooling; random flips/90-degree rotations as augmentation;
AdamW with one-cycle LR; an EMA copy of the weights is evaluated, saved whole with
torch.save and read back for the final report. The classifier's weights start small
(std 0.01) so the initial predictions are uniform.
"""
import copy
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)

CLASSES = ["water", "forest", "cropland", "urban", "bare", "grassland"]
SIG = np.array([  # mean reflectance R, G, B, NIR
    [0.05, 0.08, 0.12, 0.05],
    [0.05, 0.10, 0.05, 0.36],
    [0.08, 0.13, 0.07, 0.33],
    [0.18, 0.18, 0.17, 0.24],
    [0.21, 0.19, 0.15, 0.27],
    [0.07, 0.12, 0.06, 0.31],
])
S = 16
yy, xx = np.mgrid[0:S, 0:S] / S


def texture(c):
    if c == 0:
        return 0.01 * np.sin(2 * np.pi * (xx * rng.uniform(0.5, 1.5) + rng.random()))
    if c == 1:
        t = np.zeros((S, S))
        for _ in range(rng.integers(5, 10)):
            cx, cy, r = rng.random(), rng.random(), rng.uniform(0.08, 0.2)
            t += 0.05 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        return t - t.mean()
    if c == 2:
        th = rng.uniform(0, np.pi)
        f = rng.uniform(3, 6)
        return 0.035 * np.sign(np.sin(2 * np.pi * f * (xx * np.cos(th) + yy * np.sin(th))))
    if c == 3:
        p = rng.integers(4, 7)
        g = ((np.arange(S)[:, None] % p == 0) | (np.arange(S)[None, :] % p == 0)).astype(float)
        return 0.05 * (g - g.mean())
    if c == 4:
        return 0.04 * rng.standard_normal((S, S))
    return 0.025 * np.sin(2 * np.pi * 2 * yy + rng.random() * 6) * np.sin(2 * np.pi * 1.5 * xx)


def make_tiles(n):
    y = rng.integers(0, len(CLASSES), n)
    X = np.empty((n, 4, S, S), dtype=np.float32)
    for i, c in enumerate(y):
        sig = SIG[c] * rng.lognormal(0, 0.25, 4)        # within-class spectral spread
        illum = rng.uniform(0.6, 1.4)
        haze = rng.uniform(0, 0.06)
        tex = texture(c)
        for b in range(4):
            X[i, b] = illum * (sig[b] + tex * (1.6 if b == 3 else 1.0)) + haze + rng.normal(0, 0.04, (S, S))
    return X, y


X_tr, y_tr = make_tiles(2500)
X_va, y_va = make_tiles(1000)
mu = X_tr.mean(axis=(0, 2, 3), keepdims=True)
sd = X_tr.std(axis=(0, 2, 3), keepdims=True)
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=500)


def augment(x):
    if torch.rand(()) < 0.5:
        x = x.flip(-1)
    if torch.rand(()) < 0.5:
        x = x.flip(-2)
    return torch.rot90(x, int(torch.randint(0, 4, ())), dims=(-2, -1))


class TileNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(4, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, n_classes))
        nn.init.normal_(self.head[1].weight, std=0.01)
        nn.init.zeros_(self.head[1].bias)

    def forward(self, x):
        return self.head(self.features(x))


def evaluate(model):
    model.eval()
    nll, correct = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            nll += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
    n = len(val_loader.dataset)
    return nll / n, correct / n


model = TileNet(len(CLASSES))
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
epochs = 8
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=5e-4)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * len(train_loader))
decay = 0.97

for epoch in range(epochs):
    model.train()
    run = 0.0
    for xb, yb in train_loader:
        loss = F.cross_entropy(model(augment(xb)), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(decay).add_(pm, alpha=1 - decay)
            for be, bm in zip(ema.buffers(), model.buffers()):
                be.copy_(bm)
        run += loss.item()
    vl, va = evaluate(ema)
    print(f"epoch {epoch} train_loss {run / len(train_loader):.4f} ema val_nll {vl:.4f} val_acc {va:.4f}")

torch.save(ema, "/tmp/landcover_tilenet_ema.pt")
best = torch.load("/tmp/landcover_tilenet_ema.pt", weights_only=False)
vl, va = evaluate(best)
print(f"final val accuracy {va:.4f} val NLL {vl:.4f}")
