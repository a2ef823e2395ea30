"""Fault classification for centrifugal pumps from 1-minute sensor aggregates.

Classes: 0 normal, 1 bearing wear, 2 cavitation, 3 seal leak (rare faults).
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
rng = np.random.default_rng(7)

FEATURES = ["vib_rms", "vib_kurt", "vib_peak_1x", "vib_peak_hf", "temp_bearing", "temp_motor",
            "p_suction", "p_discharge", "flow", "current", "power_factor", "speed_dev"]
SHARES = [0.86, 0.07, 0.05, 0.02]


def simulate(n):
    y = rng.choice(4, size=n, p=SHARES)
    load = rng.uniform(0.4, 1.0, n)
    X = np.empty((n, len(FEATURES)))
    X[:, 0] = 1.2 + 0.8 * load + rng.normal(0, 0.35, n)
    X[:, 1] = 3.0 + rng.gamma(2.0, 0.3, n)
    X[:, 2] = 0.6 * load + rng.normal(0, 0.15, n)
    X[:, 3] = 0.2 + rng.normal(0, 0.1, n)
    X[:, 4] = 45 + 20 * load + rng.normal(0, 4, n)
    X[:, 5] = 55 + 25 * load + rng.normal(0, 5, n)
    X[:, 6] = 1.8 + rng.normal(0, 0.25, n)
    X[:, 7] = 6.0 + 3.0 * load + rng.normal(0, 0.6, n)
    X[:, 8] = 120 * load + rng.normal(0, 8, n)
    X[:, 9] = 30 + 25 * load + rng.normal(0, 3, n)
    X[:, 10] = 0.85 + rng.normal(0, 0.03, n)
    X[:, 11] = rng.normal(0, 0.5, n)
    bw, cv, sl = y == 1, y == 2, y == 3
    X[bw, 1] += rng.normal(0.9, 0.5, bw.sum())      # impulsive vibration
    X[bw, 3] += rng.normal(0.12, 0.08, bw.sum())
    X[bw, 4] += rng.normal(5, 3, bw.sum())
    X[cv, 6] -= rng.normal(0.45, 0.2, cv.sum())     # low suction pressure
    X[cv, 3] += rng.normal(0.10, 0.08, cv.sum())
    X[cv, 8] -= rng.normal(10, 6, cv.sum())
    X[sl, 7] -= rng.normal(1.0, 0.5, sl.sum())      # pressure loss, extra current
    X[sl, 9] += rng.normal(3, 2, sl.sum())
    X[sl, 10] -= rng.normal(0.02, 0.015, sl.sum())
    return X.astype(np.float32), y


X_tr, y_tr = simulate(6000)
X_va, y_va = simulate(2000)
mu, sd = X_tr.mean(0), X_tr.std(0)
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=512)

model = nn.Sequential(
    nn.Linear(len(FEATURES), 96), nn.ReLU(),
    nn.Linear(96, 96), nn.ReLU(),
    nn.Linear(96, 4),
)

counts = np.bincount(y_tr, minlength=4).astype(np.float64)
class_w = torch.tensor(counts / counts.sum(), dtype=torch.float32)
criterion = nn.CrossEntropyLoss(weight=class_w)

EPOCHS = 20
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)


def evaluate():
    model.eval()
    preds = []
    with torch.no_grad():
        for xb, _ in val_loader:
            preds.append(model(xb).argmax(1))
    p = torch.cat(preds).numpy()
    recalls = [(p[y_va == c] == c).mean() for c in range(4)]
    return (p == y_va).mean(), recalls


for epoch in range(EPOCHS):
    model.train()
    total, n = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        n += len(xb)
    scheduler.step()
    if epoch % 5 == 4 or epoch == EPOCHS - 1:
        acc, rec = evaluate()
        print(f"epoch {epoch + 1:2d}  train loss {total / n:.4f}  val acc {acc:.3f}  "
              f"recall per class {np.round(rec, 3).tolist()}")

acc, rec = evaluate()
print(f"final val accuracy {acc:.4f}  balanced accuracy {np.mean(rec):.4f}")
