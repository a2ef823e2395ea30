"""Embroidery QA camera: classify 16x16 greyscale crops of a stitched panel by stitch type
(cross, satin, running, french knot, herringbone). Small CNN with BatchNorm, random flips and
shifts as augmentation, label smoothing, AdamW with linear warm-up then cosine decay stepped per batch."""
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(12)
rng = np.random.default_rng(12)
S, C = 16, 5
yy, xx = np.mgrid[0:S, 0:S]


def crop(kind):
    p = rng.integers(3, 6)                       # stitch pitch in pixels
    ox, oy = rng.integers(0, p, 2)
    u, v = (xx + ox) % p, (yy + oy) % p
    if kind == 0:                                # cross: both diagonals in each cell
        img = ((u == v) | (u == p - 1 - v)).astype(float)
    elif kind == 1:                              # satin: dense parallel diagonals, either direction
        d = (xx + yy) if rng.random() < 0.5 else (xx - yy)
        img = ((d + ox) % 2 == 0).astype(float)
    elif kind == 2:                              # running: dashes along rows
        img = ((v == 0) & (((xx + ox) // 2) % 2 == 0)).astype(float)
    elif kind == 3:                              # french knots: dots on a jittered grid
        img = ((u <= 1) & (v <= 1)).astype(float) * (rng.random((S, S)) < 0.85)
    else:                                        # herringbone: zigzag rows
        img = (np.abs(u - (v * 2) % p) <= 0).astype(float)
    img = img * rng.uniform(0.5, 1.0) + rng.normal(0, 0.5, (S, S)) + rng.uniform(-0.2, 0.2)
    if rng.random() < 0.5:
        img = img.T
    return img


N = 3000
y = rng.integers(0, C, N)
X = np.stack([crop(k) for k in y])[:, None].astype(np.float32)
idx = rng.permutation(N)
tr, te = idx[:2400], idx[2400:]
mu, sd = X[tr].mean(), X[tr].std()
X = (X - mu) / sd
train_dl = DataLoader(TensorDataset(torch.tensor(X[tr]), torch.tensor(y[tr])), batch_size=64, shuffle=True)
test_dl = DataLoader(TensorDataset(torch.tensor(X[te]), torch.tensor(y[te])), batch_size=300)


def augment(x):
    if torch.rand(()) < 0.5:
        x = x.flip(3)
    if torch.rand(()) < 0.5:
        x = x.flip(2)
    dx, dy = torch.randint(-2, 3, (2,)).tolist()
    return torch.roll(x, shifts=(dy, dx), dims=(2, 3))


class StitchNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(),
            nn.Conv2d(24, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 48, 3, padding=1), nn.BatchNorm2d(48), nn.ReLU(),
        )
        self.classifier = nn.Linear(48, C)

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))


model = StitchNet()
epochs = 10
total = epochs * len(train_dl)
warm = len(train_dl)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=5e-4)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm))))
crit = nn.CrossEntropyLoss(label_smoothing=0.1)

for epoch in range(epochs):
    model.train()
    tot, n = 0.0, 0
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = crit(model(augment(xb)), yb)
        loss.backward()
        opt.step()
        sched.step()
        tot += loss.item() * len(yb); n += len(yb)
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in test_dl:
            correct += (model(xb).argmax(1) == yb).sum().item()
    acc = correct / len(te)
    print(f"epoch {epoch + 1} train_loss {tot / n:.4f} lr {sched.get_last_lr()[0]:.2e} test_acc {acc:.3f}")
print(f"FINAL test_acc={acc:.4f}")
