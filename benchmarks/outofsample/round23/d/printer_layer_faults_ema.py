"""Per-layer fault classification for an FDM print farm.

Each printed layer gives a 3-channel trace (hotend temperature error, extruder motor current,
bed-accelerometer RMS) resampled to 64 points. Most layers are fine; faults are rare:
under-extrusion, layer shift, nozzle clog, stringing. Small 1D CNN, class-weighted
cross-entropy with label smoothing, an EMA copy of the weights (deepcopy) used for
validation, early stopping on macro-F1, and the best EMA model saved whole with torch.save.
"""
import copy
import os
import shutil
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(13)
rng = np.random.default_rng(13)
CLASSES = ["ok", "under_extrusion", "layer_shift", "clog", "stringing"]
PRIOR = [0.82, 0.06, 0.04, 0.04, 0.04]
P = 64


def simulate_layers(n):
    y = rng.choice(len(CLASSES), n, p=PRIOR)
    t = np.linspace(0, 1, P)
    X = np.empty((n, 3, P), np.float32)
    for i, c in enumerate(y):
        speed = rng.uniform(0.7, 1.3)
        temp = rng.normal(0, 0.8, P) + 0.5 * np.sin(2 * np.pi * t * rng.uniform(1, 3))
        current = 1.0 * speed + 0.15 * np.sin(2 * np.pi * t * 8 * speed) + rng.normal(0, 0.08, P)
        accel = 0.3 * speed + np.abs(rng.normal(0, 0.07, P))
        if c == 1:                                    # under-extrusion: current sags in bursts
            k = rng.integers(10, 50)
            current[k:k + 10] -= rng.uniform(0.06, 0.25)
        elif c == 2:                                  # layer shift: one sharp accel spike
            k = rng.integers(5, 60)
            accel[k:k + 2] += rng.uniform(0.12, 0.5)
        elif c == 3:                                  # clog: current climbs, temp droops
            ramp = np.clip((t - rng.uniform(0.2, 0.6)) * 3, 0, 1)
            current += rng.uniform(0.05, 0.25) * ramp
            temp -= rng.uniform(0.2, 1.0) * ramp
        elif c == 4:                                  # stringing: high temp, travel wobble
            temp += rng.uniform(0.1, 1.2)
            accel += rng.uniform(0.0, 0.05) * np.abs(np.sin(2 * np.pi * t * 20))
        X[i] = np.stack([temp, current, accel])
    return X, y


X, y = simulate_layers(5000)
idx = rng.permutation(len(y))
tr, va = idx[:4000], idx[4000:]
mu = X[tr].mean(axis=(0, 2), keepdims=True)
sd = X[tr].std(axis=(0, 2), keepdims=True)
X = (X - mu) / sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=1000)


class LayerTraceCNN(nn.Module):
    def __init__(self, n_classes=len(CLASSES)):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(3, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 3, padding=1), nn.BatchNorm1d(64), nn.ReLU(),
        )
        self.fc = nn.Linear(128, n_classes)

    def forward(self, x):
        h = self.body(x)
        return self.fc(torch.cat([h.mean(-1), h.amax(-1)], 1))


def macro_f1(pred, target, k):
    f1s = []
    for c in range(k):
        tp = ((pred == c) & (target == c)).sum().item()
        fp = ((pred == c) & (target != c)).sum().item()
        fn = ((pred != c) & (target == c)).sum().item()
        f1s.append(2 * tp / max(2 * tp + fp + fn, 1))
    return float(np.mean(f1s))


model = LayerTraceCNN()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
ema_decay = 0.98

counts = np.bincount(y[tr], minlength=len(CLASSES))
weights = torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32)
weights = weights / weights.mean()
criterion = nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="max", factor=0.5, patience=1)

best_f1, bad_epochs, patience = -1.0, 0, 3
save_dir = tempfile.mkdtemp()
best_path = os.path.join(save_dir, "printer_faults_best.pt")
for epoch in range(1, 16):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 1 - ema_decay)
            for be, bm in zip(ema.buffers(), model.buffers()):
                be.copy_(bm)

    ema.eval()
    with torch.no_grad():
        xb, yb = next(iter(val_loader))
        logits = ema(xb)
        val_loss = F.cross_entropy(logits, yb).item()
        pred = logits.argmax(1)
    f1 = macro_f1(pred, yb, len(CLASSES))
    acc = (pred == yb).float().mean().item()
    scheduler.step(f1)
    print(f"epoch {epoch:2d} val_loss {val_loss:.4f} val_acc {acc:.4f} val_macro_f1 {f1:.4f}")
    if f1 > best_f1 + 1e-4:
        best_f1, bad_epochs = f1, 0
        torch.save(ema, best_path)
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stop at epoch {epoch}")
            break

best = torch.load(best_path, weights_only=False)
shutil.rmtree(save_dir)
best.eval()
with torch.no_grad():
    xb, yb = next(iter(val_loader))
    pred = best(xb).argmax(1)
recall = [((pred == c) & (yb == c)).sum().item() / max((yb == c).sum().item(), 1) for c in range(len(CLASSES))]
print("per-class recall", " ".join(f"{n}={r:.2f}" for n, r in zip(CLASSES, recall)))
print(f"final val_macro_f1 {macro_f1(pred, yb, len(CLASSES)):.4f} val_acc {(pred == yb).float().mean().item():.4f}")
