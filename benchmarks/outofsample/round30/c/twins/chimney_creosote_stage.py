"""Chimney-sweep visit planner: creosote stage found at the next sweep (0 = light soot,
1 = stage 1 flaky, 2 = stage 2 crunchy, 3 = stage 3 glazed).

Rows come from the sweep company's job sheets: burn hours since the last sweep, wood
moisture readings, flue-gas thermometer stats, liner and appliance type, stack height,
and the household's fuel. Plain PyTorch loop; the best epoch's model is saved whole and
reloaded for the final score.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)

N = 3600
fuel = rng.integers(0, 4, N)                 # oak/ash, birch, pine/softwood, mixed offcuts
liner = rng.integers(0, 3, N)                # clay, stainless, unlined
appliance = rng.integers(0, 2, N)            # open fire, closed stove
hours = rng.gamma(2.5, 180, N)
moisture = rng.normal(np.array([16, 18, 22, 25])[fuel], 4).clip(8, 40)
flue_mean = rng.normal(220 - 40 * appliance + 15 * (liner == 1), 35, N)
flue_min = flue_mean - rng.gamma(3, 25, N)
height = rng.uniform(4, 14, N)
outside = rng.normal(5, 4, N)
cool = np.maximum(0, 150 - flue_min) / 50                     # condensation zone
wet = np.maximum(0, moisture - 20) / 5
score = (0.0025 * hours * (0.6 + 0.5 * cool + 0.4 * wet + 0.4 * (fuel == 2))
         + 0.8 * cool * wet + 0.5 * (liner == 2) * cool - 0.05 * (height - 8) * (liner == 2)
         - 0.03 * outside + rng.normal(0, 0.35, N))
stage = np.digitize(score, np.quantile(score, [0.35, 0.65, 0.87]))

cont = np.stack([np.log1p(hours), moisture, flue_mean, flue_min, height, outside], 1)
cats = np.concatenate([np.eye(4)[fuel], np.eye(3)[liner], appliance[:, None]], 1)

perm = rng.permutation(N)
tr, va = perm[:2800], perm[2800:]
mu, sd = cont[tr].mean(0), cont[tr].std(0)
X = torch.tensor(np.concatenate([(cont - mu) / sd, cats], 1), dtype=torch.float32)
y = torch.tensor(stage, dtype=torch.long)

train_loader = DataLoader(TensorDataset(X[tr], y[tr]), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(X[va], y[va]), batch_size=200)

model = nn.Sequential(
    nn.Linear(X.shape[1], 128), nn.ReLU(),
    nn.Linear(128, 128), nn.ReLU(),
    nn.Linear(128, 4),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, weight_decay=5e-4)


def run_epoch(loader, train):
    model.train(train)
    total, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for xb, yb in loader:
            logits = model(xb)
            loss = criterion(logits, yb)
            if train:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item() * len(xb)
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(xb)
    return total / n, correct / n


ckpt = os.path.join(tempfile.mkdtemp(), "creosote_best.pt")
best = -1.0
for epoch in range(1, 21):
    tr_loss, tr_acc = run_epoch(train_loader, True)
    va_loss, va_acc = run_epoch(val_loader, False)
    if va_acc > best:
        best = va_acc
        torch.save(model, ckpt)
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d} train loss {tr_loss:.4f} acc {tr_acc:.3f} | val loss {va_loss:.4f} acc {va_acc:.3f}")

model = torch.load(ckpt, weights_only=False)
model.eval()
with torch.no_grad():
    pred = model(X[va]).argmax(1)
acc = (pred == y[va]).float().mean().item()
mae = (pred - y[va]).abs().float().mean().item()
print(f"FINAL val_acc={acc:.4f} val_stage_mae={mae:.4f} best_epoch_acc={best:.4f}")
