"""Spreader twistlock condition on ship-to-shore harbour cranes.

Every container lift logs the four corner load cells, lock/unlock pin travel, hoist
acceleration and hydraulic pressure. Maintenance labels: 0 healthy, 1 worn pin,
2 sticky hydraulic valve, 3 misaligned flipper. Faults are rare, so the loss is
class-weighted. Plain SGD with momentum written by hand, a step decay, sum-reduced
validation loss, and the best model saved whole with torch.save.
"""
import os
import tempfile
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(29)
rng = np.random.default_rng(29)

N_CLASSES = 4


def lifts(n):
    y = rng.choice(N_CLASSES, n, p=[0.82, 0.08, 0.06, 0.04])
    load = rng.uniform(8, 32, n)[:, None] * (1 + rng.normal(0, 0.05, (n, 4)))
    pin_travel = rng.normal(22, 0.6, (n, 4))
    unlock_ms = rng.normal(450, 30, n)
    pressure = rng.normal(180, 8, n)
    accel = rng.normal(0.4, 0.08, n)
    corner = rng.integers(0, 4, n)
    worn = y == 1
    pin_travel[worn, corner[worn]] -= rng.uniform(1.2, 2.5, worn.sum())
    sticky = y == 2
    unlock_ms[sticky] += rng.uniform(60, 160, sticky.sum())
    pressure[sticky] += rng.normal(12, 4, sticky.sum())
    flip = y == 3
    load[flip, corner[flip]] *= rng.uniform(0.6, 0.8, flip.sum())
    imbalance = load.std(1) / load.mean(1)
    X = np.column_stack([load, pin_travel, unlock_ms, pressure, accel,
                         imbalance, pin_travel.min(1) - pin_travel.mean(1)])
    return X.astype(np.float32), y


X, y = lifts(5000)
idx = rng.permutation(len(y))
tr, va = idx[:4000], idx[4000:]
mu, sd = X[tr].mean(0), X[tr].std(0)
X = (X - mu) / sd
Xtr, ytr = torch.from_numpy(X[tr]), torch.from_numpy(y[tr]).long()
Xva, yva = torch.from_numpy(X[va]), torch.from_numpy(y[va]).long()

counts = torch.bincount(ytr, minlength=N_CLASSES).float()
class_w = (counts.sum() / (N_CLASSES * counts)).sqrt()

model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, N_CLASSES))
velocity = [torch.zeros_like(p) for p in model.parameters()]
lr, mom, wd, bs, epochs = 0.05, 0.9, 5e-4, 64, 15


def balanced_accuracy(logits, target):
    pred = logits.argmax(1)
    return float(np.mean([(pred[target == c] == c).float().mean() for c in range(N_CLASSES)]))


best, path = float("inf"), os.path.join(tempfile.mkdtemp(), "twistlock_best.pt")
for epoch in range(epochs):
    if epoch in (8, 12):
        lr *= 0.2
    model.train()
    perm = torch.randperm(len(ytr))
    for i in range(0, len(perm), bs):
        b = perm[i:i + bs]
        loss = F.cross_entropy(model(Xtr[b]), ytr[b], weight=class_w)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                g = p.grad + wd * p
                v.mul_(mom).add_(g)
                p -= lr * v
    model.eval()
    with torch.no_grad():
        total = 0.0
        for i in range(0, len(yva), 250):
            total += F.cross_entropy(model(Xva[i:i + 250]), yva[i:i + 250], weight=class_w, reduction="sum").item()
        val_loss = total / class_w[yva].sum().item()
        bacc = balanced_accuracy(model(Xva), yva)
    if val_loss < best:
        best = val_loss
        torch.save(model, path)
    print(f"epoch {epoch + 1:2d} lr {lr:.4f} val loss {val_loss:.4f} balanced acc {bacc:.3f}")

model = torch.load(path, weights_only=False)
model.eval()
with torch.no_grad():
    logits = model(Xva)
print(f"final val balanced accuracy {balanced_accuracy(logits, yva):.4f}  accuracy {(logits.argmax(1) == yva).float().mean():.4f}")
