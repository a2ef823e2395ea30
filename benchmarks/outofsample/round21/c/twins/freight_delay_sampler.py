"""Freight rail: will a scheduled train run on time, late (1-6 h) or very late (> 6 h)?

Tabular features per departure (consist, corridor, yard work, weather). Classes are heavily
skewed towards on-time, so training draws batches through a WeightedRandomSampler.
Plain PyTorch, parameters updated by hand.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, WeightedRandomSampler

torch.set_num_threads(1)
torch.manual_seed(3)
rng = np.random.default_rng(3)

CLASSES = ["on time", "late", "very late"]
N_CORRIDORS = 6


def make_departures(n):
    length_m = rng.normal(1800, 450, n).clip(400, 3500)
    tonnage = length_m * rng.normal(4.1, 0.6, n)
    locos = np.ceil(tonnage / 3200 + rng.random(n) * 0.8)
    interchanges = rng.poisson(1.6, n)
    crew_changes = rng.poisson(1.1, n)
    distance_km = rng.gamma(4.0, 180.0, n)
    maint_windows = rng.poisson(0.7, n)
    snow_cm = np.where(rng.random(n) < 0.2, rng.exponential(8.0, n), 0.0)
    dwell_origin_h = rng.gamma(2.0, 1.2, n)
    corridor = rng.integers(0, N_CORRIDORS, n)
    weekday = rng.integers(0, 7, n)
    corridor_risk = np.array([0.0, 0.4, -0.3, 0.9, 0.2, -0.1])[corridor]

    score = (0.0009 * (length_m - 1800) + 0.55 * interchanges + 0.35 * crew_changes
             + 0.0016 * distance_km + 0.8 * maint_windows + 0.09 * snow_cm
             + 0.25 * dwell_origin_h + corridor_risk + 0.3 * (weekday >= 5)
             - 0.4 * (locos - tonnage / 3200) + rng.logistic(0, 0.45, n))
    cut_late, cut_very = np.quantile(score, [0.86, 0.96])
    y = (score > cut_late).astype(np.int64) + (score > cut_very).astype(np.int64)

    num = np.stack([length_m, tonnage, locos, interchanges, crew_changes, distance_km,
                    maint_windows, snow_cm, dwell_origin_h], 1)
    cat = np.concatenate([np.eye(N_CORRIDORS)[corridor], np.eye(7)[weekday]], 1)
    return num.astype(np.float32), cat.astype(np.float32), y


num, cat, y = make_departures(6000)
split = 4800
mu, sd = num[:split].mean(0), num[:split].std(0)
X = np.concatenate([(num - mu) / sd, cat], 1).astype(np.float32)
X_tr, y_tr, X_va, y_va = X[:split], y[:split], X[split:], y[split:]

class_freq = np.bincount(y_tr, minlength=3) / len(y_tr)
sample_weights = 1.0 / class_freq[y_tr]
sampler = WeightedRandomSampler(torch.as_tensor(sample_weights, dtype=torch.double),
                                num_samples=len(y_tr), replacement=True)
train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=64, sampler=sampler)
X_va_t, y_va_t = torch.from_numpy(X_va), torch.from_numpy(y_va)

model = nn.Sequential(
    nn.Linear(X.shape[1], 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 3),
)
lr = 0.05


def evaluate():
    model.eval()
    with torch.no_grad():
        logits = model(X_va_t)
        loss = F.cross_entropy(logits, y_va_t).item()
        pred = logits.argmax(1)
    recalls = [((pred == c) & (y_va_t == c)).sum().item() / max((y_va_t == c).sum().item(), 1) for c in range(3)]
    acc = (pred == y_va_t).float().mean().item()
    return loss, acc, recalls


for epoch in range(15):
    model.train()
    total, seen = 0.0, 0
    for xb, yb in train_loader:
        loss = F.cross_entropy(model(xb), yb)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        total += loss.item() * len(yb)
        seen += len(yb)
    val_loss, val_acc, recalls = evaluate()
    print(f"epoch {epoch:2d} train_loss {total / seen:.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f} "
          f"recall {' '.join(f'{r:.2f}' for r in recalls)}")

val_loss, val_acc, recalls = evaluate()
print(f"shares on-time/late/very-late in val: {np.bincount(y_va, minlength=3) / len(y_va)}")
print(f"final val_acc={val_acc:.4f} balanced_acc={np.mean(recalls):.4f} "
      f"recall_late={recalls[1]:.3f} recall_very_late={recalls[2]:.3f}")
