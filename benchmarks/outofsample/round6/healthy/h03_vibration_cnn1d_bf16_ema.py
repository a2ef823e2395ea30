"""Fault detection on simulated motor-vibration recordings (healthy / harmonic / impulsive /
modulated) with a 1D ConvNet. Mixed precision: bf16 autocast on CPU for the forward pass, the
loss in float32. An EMA copy of the weights (copy.deepcopy) is kept and evaluated, and the
whole EMA model is saved with torch.save(model) at the end and loaded back for a check."""
import copy
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

SEED = 7
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)
FS, L = 1000.0, 256
CLASSES = ["healthy", "harmonic", "impulsive", "modulated"]


def simulate(n):
    t = np.arange(L) / FS
    X = np.empty((n, 1, L), np.float32)
    y = rng.integers(0, 4, n)
    for i in range(n):
        f0 = rng.uniform(25, 45)
        ph = rng.uniform(0, 2 * np.pi)
        amp = rng.uniform(0.8, 1.2)
        s = amp * np.sin(2 * np.pi * f0 * t + ph)
        if y[i] == 1:     # 3rd harmonic from misalignment
            s += rng.uniform(0.2, 0.45) * np.sin(2 * np.pi * 3 * f0 * t + rng.uniform(0, 2 * np.pi))
        elif y[i] == 2:   # bearing impacts: decaying bursts at a fault frequency
            period = int(FS / rng.uniform(60, 90))
            start = rng.integers(0, period)
            for k in range(start, L, period):
                seg = np.arange(L - k)
                s[k:] += 1.0 * np.exp(-seg / 4.0) * np.sin(2 * np.pi * 180 * seg / FS)
        elif y[i] == 3:   # amplitude modulation from a loose mount
            s *= 1 + rng.uniform(0.25, 0.5) * np.sin(2 * np.pi * rng.uniform(6, 12) * t)
        s += rng.normal(0, 0.5, L)
        X[i, 0] = s
    return X, y.astype(np.int64)


Xtr, ytr = simulate(4000)
Xva, yva = simulate(800)
mu, sd = Xtr.mean(), Xtr.std()
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=400)


def block(cin, cout, k, stride):
    return nn.Sequential(nn.Conv1d(cin, cout, k, stride, padding=k // 2, bias=False),
                         nn.BatchNorm1d(cout), nn.ReLU(inplace=True))


class VibNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.features = nn.Sequential(block(1, 16, 9, 2), block(16, 32, 7, 2), block(32, 64, 5, 2), block(64, 64, 3, 1))
        self.head = nn.Linear(64, n_classes)

    def forward(self, x):
        return self.head(self.features(x).mean(-1))


model = VibNet()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
EMA_DECAY = 0.98

EPOCHS = 10
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)


@torch.no_grad()
def ema_update(ema_model, live_model, decay):
    for pe, pl in zip(ema_model.parameters(), live_model.parameters()):
        pe.mul_(decay).add_(pl.detach(), alpha=1 - decay)
    for be, bl in zip(ema_model.buffers(), live_model.buffers()):
        be.copy_(bl)


@torch.no_grad()
def evaluate(net):
    net.eval()
    loss, correct, n = 0.0, 0, 0
    for xb, yb in val_loader:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = net(xb)
        logits = logits.float()
        loss += F.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
        n += len(yb)
    return loss / n, correct / n


for epoch in range(EPOCHS):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(xb)
        loss = F.cross_entropy(logits.float(), yb)
        loss.backward()
        optimizer.step()
        ema_update(ema, model, EMA_DECAY)
        running += loss.item() * len(yb)
    scheduler.step()
    vl, va = evaluate(model)
    el, ea = evaluate(ema)
    print(f"epoch {epoch + 1:2d} train_loss {running / len(train_loader.dataset):.4f} "
          f"val_loss {vl:.4f} val_acc {va:.4f} | ema val_loss {el:.4f} val_acc {ea:.4f}")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "vibnet_ema.pt")
    torch.save(ema, path)
    restored = torch.load(path, weights_only=False)
    rl, ra = evaluate(restored)
print(f"final ema_val_loss {rl:.4f} ema_val_acc {ra:.4f}")
