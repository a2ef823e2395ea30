"""Heartbeat morphology classification (normal / PVC / APC / LBBB / RBBB-like) from single-lead
ECG snippets of 128 samples at 125 Hz. 1D CNN with batch norm and dropout; the best epoch by
validation accuracy is kept with torch.save(model).
"""
import os
import tempfile
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)
rng = np.random.default_rng(17)
T = 128
t = np.linspace(-0.5, 0.5, T)


def gauss(center, width, amp):
    return amp * np.exp(-((t - center) / width) ** 2)


def beat(kind):
    hr_shift = rng.normal(0, 0.015)
    p = gauss(-0.18 + hr_shift, 0.025, rng.uniform(0.1, 0.2))
    q = gauss(-0.025, 0.008, -rng.uniform(0.05, 0.15))
    r = gauss(0.0, 0.012, rng.uniform(0.9, 1.3))
    s = gauss(0.03, 0.01, -rng.uniform(0.1, 0.3))
    tw = gauss(0.22 + hr_shift, 0.05, rng.uniform(0.2, 0.35))
    if kind == 1:      # premature ventricular: no P, wide bizarre QRS, inverted T
        p, r, tw = 0 * p, gauss(0.0, 0.035, rng.uniform(1.0, 1.5)), -tw
    elif kind == 2:    # premature atrial: early, abnormal P
        p = gauss(-0.12, 0.02, rng.uniform(0.05, 0.12)) * rng.choice([-1, 1])
    elif kind == 3:    # left bundle branch block: broad notched R
        r = gauss(-0.01, 0.02, rng.uniform(0.7, 1.0)) + gauss(0.025, 0.02, rng.uniform(0.6, 0.9))
        s = 0 * s
    elif kind == 4:    # right bundle branch block: rSR' pattern
        r = gauss(-0.01, 0.01, rng.uniform(0.4, 0.6)) + gauss(0.04, 0.014, rng.uniform(0.7, 1.0))
    wander = 0.15 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t + rng.uniform(0, 6.3))
    x = p + q + r + s + tw + wander + rng.normal(0, 0.06, T)
    return x * rng.uniform(0.7, 1.4)


y = rng.choice(5, 2200, p=[0.4, 0.15, 0.15, 0.15, 0.15])
X = np.stack([beat(k) for k in y]).astype(np.float32)
X = (X - X.mean(1, keepdims=True)) / X.std(1, keepdims=True)
X, y = torch.from_numpy(X).unsqueeze(1), torch.from_numpy(y)
train_ds = TensorDataset(X[:1000], y[:1000])
val_ds = TensorDataset(X[1000:1600], y[1000:1600])
test_ds = TensorDataset(X[1600:], y[1600:])
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=300)
test_loader = DataLoader(test_ds, batch_size=300)


def block(cin, cout, k):
    return nn.Sequential(nn.Conv1d(cin, cout, k, padding=k // 2), nn.BatchNorm1d(cout), nn.ReLU(), nn.MaxPool1d(2))


model = nn.Sequential(
    block(1, 32, 7), block(32, 32, 5), block(32, 64, 5), block(64, 64, 5), block(64, 128, 3),
    block(128, 128, 3), nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(128, 5),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
criterion = nn.CrossEntropyLoss()


def accuracy(loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
    return correct / len(loader.dataset)


ckpt = os.path.join(tempfile.mkdtemp(), "best_beats.pt")
model.train()
best = accuracy(val_loader)
print(f"untrained val acc {best:.4f}")
for epoch in range(1, 16):
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(yb)
    val_acc = accuracy(val_loader)
    if val_acc > best:
        best = val_acc
        torch.save(model, ckpt)
    print(f"epoch {epoch:2d}  train loss {running / len(train_ds):.4f}  val acc {val_acc:.4f}")

model = torch.load(ckpt, weights_only=False)
print(f"best val acc {best:.4f}  test accuracy {accuracy(test_loader):.4f}")
