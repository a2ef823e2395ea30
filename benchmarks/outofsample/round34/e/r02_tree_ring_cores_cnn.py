"""Growth-pattern classes from scanned increment cores (dendrochronology lab).

Each sample is a 24 x 48 greyscale strip of a core, pith on the left, bark on the right;
the dark latewood lines mark the ring boundaries.  Four growth patterns: complacent,
suppression-then-release, release-then-suppression, and alternating (cyclic) growth.

Small CNN with BatchNorm, label smoothing, linear warm-up then cosine decay (stepped per
batch), and augmentation that respects the physics: flips *along* the rings and small
shifts across rows are fine, a left-right flip is not (it would swap classes 1 and 2).
"""
import math
import random

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset
from sklearn.linear_model import LogisticRegression

SEED = 11
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

H, W = 24, 48
CLASSES = ["complacent", "suppression_release", "release_suppression", "alternating"]


def ring_widths(cls, rng):
    widths, x = [], 0.0
    while x < W + 8:
        frac = x / W
        if cls == 0:
            w = rng.uniform(2.4, 4.6)
        elif cls == 1:
            w = rng.uniform(2.0, 3.4) if frac < 0.5 else rng.uniform(3.0, 4.8)
        elif cls == 2:
            w = rng.uniform(3.0, 4.8) if frac < 0.5 else rng.uniform(2.0, 3.4)
        else:
            w = 2.6 if len(widths) % 2 == 0 else 4.0
            w *= rng.uniform(0.75, 1.25)
        widths.append(w)
        x += w
    return widths


def make_core(cls, rng):
    widths = ring_widths(cls, rng)
    bounds = np.cumsum(widths) - rng.uniform(0, 3)
    cols = np.arange(W)[None, :]
    rows = np.arange(H)[:, None]
    tilt = rng.uniform(-0.08, 0.08)
    pos = bounds[:, None, None] + tilt * (rows - H / 2)[None]
    img = 0.75 - 0.5 * np.exp(-0.5 * ((cols[None] - pos) / 0.55) ** 2).sum(0)
    img = img * rng.uniform(0.8, 1.2) + rng.normal(0, 0.45, (H, W))
    return img.astype(np.float32)


def make_set(n, rng):
    y = rng.integers(0, 4, n)
    X = np.stack([make_core(c, rng) for c in y])
    return X, y


rng = np.random.default_rng(SEED)
Xtr, ytr = make_set(1600, rng)
Xva, yva = make_set(600, rng)
Xte, yte = make_set(600, rng)
mean, std = Xtr.mean(), Xtr.std()


class Cores(Dataset):
    def __init__(self, X, y, augment):
        self.X = torch.from_numpy((X - mean) / std).unsqueeze(1)
        self.y = torch.from_numpy(y).long()
        self.augment = augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.augment:
            if random.random() < 0.5:
                x = torch.flip(x, dims=[1])          # flip along the ring direction only
            x = torch.roll(x, random.randint(-3, 3), dims=1)
            x = x * (1 + 0.1 * (random.random() - 0.5))
        return x, self.y[i]


class CoreNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False),
                                 nn.BatchNorm2d(cout), nn.ReLU(inplace=True))
        self.features = nn.Sequential(block(1, 12), nn.MaxPool2d(2),
                                      block(12, 24), nn.MaxPool2d(2),
                                      block(24, 32))
        # keep the left-right layout: pool rows away, keep 4 column bins
        self.pool = nn.AdaptiveAvgPool2d((1, 4))
        self.head = nn.Linear(32 * 4, n_classes)

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.head(torch.flatten(x, 1))


train_loader = DataLoader(Cores(Xtr, ytr, True), batch_size=64, shuffle=True)
val_loader = DataLoader(Cores(Xva, yva, False), batch_size=256)
test_loader = DataLoader(Cores(Xte, yte, False), batch_size=256)

model = CoreNet()
epochs = 10
total = epochs * len(train_loader)
warmup = len(train_loader)
optimizer = torch.optim.SGD(model.parameters(), lr=0.08, momentum=0.9, nesterov=True,
                            weight_decay=5e-4)


def lr_lambda(step):
    if step < warmup:
        return (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * t))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)


def evaluate(loader):
    model.eval()
    correct, loss_sum, n = 0, 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss_sum += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
            n += len(y)
    return loss_sum / n, correct / n


for epoch in range(1, epochs + 1):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        loss = criterion(model(data), target)
        loss.backward()
        optimizer.step()
        scheduler.step()
    vl, va = evaluate(val_loader)
    print(f"Epoch {epoch:2d}  lr {scheduler.get_last_lr()[0]:.4f}  last batch loss {loss.item():.3f}"
          f"  val loss {vl:.3f}  val acc {va:.3f}")

_, test_acc = evaluate(test_loader)
logreg = LogisticRegression(max_iter=300, C=0.1).fit(((Xtr - mean) / std).reshape(len(Xtr), -1), ytr)
lr_acc = logreg.score(((Xte - mean) / std).reshape(len(Xte), -1), yte)
print(f"baseline logistic regression on pixels: test acc {lr_acc:.3f} (majority {np.bincount(ytr).max() / len(ytr):.3f})")
print(f"final test accuracy: {test_acc:.3f}")
