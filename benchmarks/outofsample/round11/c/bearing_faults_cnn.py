"""Bearing-fault classification from vibration snippets with a small 1-D CNN.

Synthetic accelerometer windows: a shaft harmonic plus fault-specific impact trains
(outer race, inner race, ball, cage) buried in noise. Trained with SGD + Nesterov,
an EMA copy of the weights is kept for evaluation and exported with torch.save.
"""
import copy
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
np.random.seed(3)
torch.set_num_threads(1)

FS, WIN = 2048, 256
FAULT_HZ = {0: None, 1: 87.0, 2: 131.0, 3: 59.0, 4: 23.0}   # healthy, outer, inner, ball, cage
RING = {1: 0.27, 2: 0.19, 3: 0.34, 4: 0.12}                   # excited resonance, cycles/sample


def make_windows(n_per_class, rng):
    xs, ys = [], []
    t = np.arange(WIN) / FS
    for c, f in FAULT_HZ.items():
        for _ in range(n_per_class):
            shaft = rng.uniform(25, 35)
            x = 0.8 * np.sin(2 * np.pi * shaft * t + rng.uniform(0, 2 * np.pi))
            if f is not None:
                period = FS / (f * rng.uniform(0.95, 1.05))
                phase = rng.uniform(0, period)
                impacts = np.zeros(WIN)
                for k in np.arange(phase, WIN, period):
                    n = np.arange(WIN) - k
                    ring = np.where(n >= 0, np.exp(-n / 6.0) * np.sin(2 * np.pi * RING[c] * n), 0.0)
                    impacts += ring
                x = x + rng.uniform(1.0, 1.5) * impacts
            x = x + rng.normal(0, 0.5, WIN)
            acc2 = 0.5 * x + rng.normal(0, 0.5, WIN)          # second, noisier sensor
            xs.append(np.stack([x, acc2]))
            ys.append(c)
    return np.asarray(xs, np.float32), np.asarray(ys, np.int64)


rng = np.random.default_rng(3)
X_tr, y_tr = make_windows(240, rng)
X_va, y_va = make_windows(80, rng)
scale = X_tr.std(axis=(0, 2), keepdims=True)
X_tr, X_va = X_tr / scale, X_va / scale

train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)),
                        batch_size=200)


class VibNet(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(2, 16, 9, padding=4), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 9, padding=4), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
        )
        self.fc = nn.Linear(64, n_classes)
        self.logit_scale = 16.0

    def forward(self, x):
        z = self.features(x).mean(dim=-1)
        return self.fc(z) * self.logit_scale


model = VibNet()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)

EPOCHS = 8
optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, nesterov=True,
                            weight_decay=5e-4)
steps = EPOCHS * len(train_loader)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * s / steps)))


@torch.no_grad()
def update_ema(decay=0.95):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(net):
    net.eval()
    correct, total = 0, 0
    for xb, yb in val_loader:
        correct += (net(xb).argmax(1) == yb).sum().item()
        total += yb.numel()
    return correct / total


for epoch in range(EPOCHS):
    model.train()
    for xb, yb in train_loader:
        loss = F.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        update_ema()
    print(f"epoch {epoch} loss {loss.item():.4f} val_acc {evaluate(model):.4f} "
          f"ema_acc {evaluate(ema):.4f}")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "vibnet_ema.pt")
    torch.save(ema, path)
    restored = torch.load(path, weights_only=False)
print(f"final val accuracy (EMA) {evaluate(restored):.4f}")
