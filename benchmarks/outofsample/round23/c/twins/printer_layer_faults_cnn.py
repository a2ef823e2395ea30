"""FDM printer: classify each printed layer from toolhead accelerometer (x, y) and extruder
motor current traces, 128 samples per layer.

Classes: 0 ok, 1 under-extrusion, 2 layer shift, 3 ringing, 4 nozzle clog onset.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)

T = 128
CLASSES = ["ok", "under_extrusion", "layer_shift", "ringing", "clog_onset"]


def make_layer(label):
    t = np.arange(T) / T
    speed = rng.uniform(0.7, 1.3)
    phase = rng.uniform(0, 2 * np.pi)
    # infill zig-zag gives a periodic acceleration pattern
    ax = np.sign(np.sin(2 * np.pi * 6 * speed * t + phase)) * 0.8
    ay = np.sign(np.cos(2 * np.pi * 6 * speed * t + phase)) * 0.8
    cur = 1.0 + 0.15 * np.sin(2 * np.pi * 3 * t + phase)
    if label == 1:      # periodic current dips: filament slipping
        period = rng.integers(14, 24)
        start = rng.integers(0, period)
        for s in range(start, T, period):
            cur[s:s + 3] -= rng.uniform(0.25, 0.4)
    elif label == 2:    # sudden offset and a spike on one axis
        k = rng.integers(20, 108)
        axis = ax if rng.random() < 0.5 else ay
        axis[k:k + 2] += rng.choice([-1, 1]) * rng.uniform(1.0, 1.6)
        axis[k:] += rng.uniform(0.15, 0.3)
    elif label == 3:    # decaying oscillation after direction changes
        f = rng.uniform(0.25, 0.4)
        flips = np.where(np.diff(np.sign(ax)) != 0)[0]
        for fl in flips:
            n = np.arange(T - fl - 1)
            ax[fl + 1:] += 0.35 * np.exp(-n / 6.0) * np.sin(2 * np.pi * f * n)
    elif label == 4:    # current slowly climbing as the nozzle clogs
        k = rng.integers(30, 90)
        cur[k:] += np.linspace(0, rng.uniform(0.25, 0.45), T - k)
    sig = np.stack([ax, ay, cur])
    sig += rng.normal(0, [[0.3], [0.3], [0.1]], size=sig.shape)
    return sig.astype(np.float32)


def make_split(n):
    y = rng.choice(5, size=n, p=[0.4, 0.15, 0.15, 0.15, 0.15])
    X = np.stack([make_layer(c) for c in y])
    return X, y


Xtr, ytr = make_split(1600)
Xva, yva = make_split(500)
mean = Xtr.mean(axis=(0, 2), keepdims=True)
std = Xtr.std(axis=(0, 2), keepdims=True)
Xtr, Xva = (Xtr - mean) / std, (Xva - mean) / std

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                          batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)),
                        batch_size=128)


class LayerNet(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(3, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(64, 64, 3, padding=1), nn.BatchNorm1d(64), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(128, n_classes))

    def forward(self, x):
        h = self.features(x)
        h = torch.cat([h.mean(-1), h.amax(-1)], dim=1)
        return self.head(h)


def evaluate(model, loader):
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            loss_sum += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            total += len(yb)
    return loss_sum / total, correct / total


model = LayerNet()
epochs = 12
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=epochs,
                                                steps_per_epoch=len(train_loader))

init_loss, init_acc = evaluate(model, val_loader)
print(f"before training: val_loss {init_loss:.4f} val_acc {init_acc:.3f}")

for epoch in range(epochs):
    model.train()
    seen, loss_sum = 0, 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        loss_sum += loss.item() * len(yb)
        seen += len(yb)
    val_loss, val_acc = evaluate(model, val_loader)
    print(f"epoch {epoch:2d} train_loss {loss_sum / seen:.4f} val_loss {val_loss:.4f} val_acc {val_acc:.3f}")

print(f"FINAL val_acc {val_acc:.4f} val_loss {val_loss:.4f}")
