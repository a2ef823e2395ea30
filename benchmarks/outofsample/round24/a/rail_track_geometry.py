"""Track recording car: classify 200 m rail segments into maintenance classes.

Each row summarises one segment measured by the recording car:
gauge deviation (mm), cross-level deviation (mm), longitudinal level SD (mm),
alignment SD (mm), max twist (mm/m), curvature (1/m), gradient (rise/run) and
line speed (km/h).  Classes: 0 = no action, 1 = tamping planned, 2 = urgent.

Small MLP trained with a hand-written SGD update (no optimizer object).
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)
rng = np.random.default_rng(7)


def make_segments(n):
    gauge = rng.normal(0.0, 2.5, n)                 # mm
    xlevel = rng.normal(0.0, 3.5, n)                # mm
    level_sd = rng.gamma(4.0, 0.4, n)               # mm
    align_sd = rng.gamma(3.0, 0.35, n)              # mm
    twist = rng.gamma(2.5, 0.5, n)                  # mm/m
    curvature = rng.normal(0.0, 1.6e-3, n)          # 1/m (signed, left/right)
    gradient = rng.normal(0.0, 8e-3, n)             # rise/run
    speed = rng.choice([80.0, 100.0, 120.0, 140.0, 160.0], n) + rng.normal(0, 3, n)
    X = np.stack([gauge, xlevel, level_sd, align_sd, twist, curvature, gradient, speed], 1)

    z = (X - X.mean(0)) / X.std(0)
    # unbalanced lateral acceleration in curves, worse with cross-level error
    lat = np.abs(z[:, 5]) * (1.0 + 0.5 * z[:, 7]) - 0.35 * np.sign(z[:, 5]) * z[:, 1]
    score = (0.8 * z[:, 2] + 0.6 * z[:, 4] + 0.4 * np.abs(z[:, 0]) + 1.3 * lat
             + 0.9 * np.abs(z[:, 6]) * (z[:, 7] > 0) + 0.3 * z[:, 3]
             + rng.normal(0, 0.35, n))
    y = np.digitize(score, np.quantile(score, [0.55, 0.85]))
    return X.astype(np.float32), y.astype(np.int64)


X, y = make_segments(4000)
Xtr, ytr, Xva, yva = X[:3000], y[:3000], X[3000:], y[3000:]

mu = Xtr.mean(0)
sd = Xtr.std()
Xtr = (Xtr - mu) / sd
Xva = (Xva - mu) / sd

Xtr, ytr = torch.from_numpy(Xtr), torch.from_numpy(ytr)
Xva, yva = torch.from_numpy(Xva), torch.from_numpy(yva)

model = nn.Sequential(
    nn.Linear(8, 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 3),
)

lr = 0.1
batch_size = 64
for epoch in range(40):
    model.train()
    perm = torch.randperm(len(Xtr))
    total = 0.0
    for i in range(0, len(Xtr), batch_size):
        idx = perm[i:i + batch_size]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        total += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        logits = model(Xva)
        val_loss = F.cross_entropy(logits, yva).item()
        acc = (logits.argmax(1) == yva).float().mean().item()
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d}  train_loss {total / len(Xtr):.4f}  val_loss {val_loss:.4f}  val_acc {acc:.4f}")

print(f"final val_acc {acc:.4f}")
