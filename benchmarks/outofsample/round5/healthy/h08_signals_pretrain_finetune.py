"""Vibration-sensor fault classification with a pretrained 1-D CNN.

Stage 1 pretrains a 1-D CNN on a large, cheap auxiliary task (which of 12 tones dominates a noisy
256-sample window) and saves the whole model with torch.save(model).
Stage 2 loads it, swaps the head and fine-tunes on a small labelled set (600 windows) of the
real task: four fault types that differ in their harmonic content and amplitude modulation.
  - epochs 1-4: backbone frozen (requires_grad False, and kept in eval() so its BatchNorm running
    statistics from pretraining are not overwritten), only the new head trains;
  - epochs 5-12: everything trains, backbone at a 10x lower LR (two param groups), cosine decay,
    micro-batches of 16 with gradient accumulation to an effective batch of 64.
"""
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
np.random.seed(21)
rng = np.random.default_rng(21)
T = 256
t = np.arange(T) / T
TONES = np.linspace(6, 72, 12)


def pretrain_data(n):
    y = rng.integers(0, 12, n)
    amp = rng.uniform(0.5, 1.5, (n, 1))
    phase = rng.uniform(0, 2 * math.pi, (n, 1))
    x = amp * np.sin(2 * math.pi * TONES[y][:, None] * t + phase)
    others = rng.integers(0, 12, (n, 2))                       # two weaker distractor tones
    for k in range(2):
        x += 0.35 * np.sin(2 * math.pi * TONES[others[:, k]][:, None] * t + rng.uniform(0, 6.3, (n, 1)))
    x += rng.normal(0, 0.5, x.shape)
    return x.astype(np.float32), y


def fault_data(n):
    """0 healthy, 1 imbalance (strong 1x), 2 misalignment (2x harmonic), 3 bearing (AM at a high tone)."""
    y = rng.integers(0, 4, n)
    f0 = rng.uniform(10, 16, (n, 1))
    ph = rng.uniform(0, 2 * math.pi, (n, 3))
    base = np.sin(2 * math.pi * f0 * t + ph[:, :1])
    gain = rng.uniform(0.8, 1.25, (n, 1))                      # sensor mounting varies
    x = gain * np.where((y == 1)[:, None], 1.6, 1.0) * base
    x += gain * np.where((y == 2)[:, None], 0.6, 0.15) * np.sin(2 * math.pi * 2 * f0 * t + ph[:, 1:2])
    am = 1 + 0.8 * np.sin(2 * math.pi * rng.uniform(3, 6, (n, 1)) * t)
    x += np.where((y == 3)[:, None], 0.5, 0.0) * am * np.sin(2 * math.pi * rng.uniform(55, 70, (n, 1)) * t + ph[:, 2:])
    x += rng.normal(0, 0.75, x.shape)
    return x.astype(np.float32), y


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()

        def block(cin, cout, k):
            return nn.Sequential(nn.Conv1d(cin, cout, k, padding=k // 2, bias=False), nn.BatchNorm1d(cout),
                                 nn.ReLU(), nn.MaxPool1d(2))
        self.net = nn.Sequential(block(1, 16, 9), block(16, 32, 7), block(32, 48, 5), block(48, 64, 3),
                                 nn.AdaptiveAvgPool1d(1), nn.Flatten())

    def forward(self, x):
        return self.net(x)


class SignalNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.backbone = Backbone()
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, n_classes))

    def forward(self, x):
        return self.head(self.backbone(x))


def loaders(x, y, n_val, bs):
    x = torch.tensor(x).unsqueeze(1)
    x = (x - SIG_MEAN) / SIG_STD
    y = torch.tensor(y)
    tr = DataLoader(TensorDataset(x[n_val:], y[n_val:]), batch_size=bs, shuffle=True)
    va = DataLoader(TensorDataset(x[:n_val], y[:n_val]), batch_size=256)
    return tr, va


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    loss, correct, n = 0.0, 0, 0
    for xb, yb in loader:
        out = model(xb)
        loss += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
        n += len(yb)
    return loss / n, correct / n


# ---------------- stage 1: pretraining ----------------
xp, yp = pretrain_data(6000)
SIG_MEAN, SIG_STD = float(xp[1000:].mean()), float(xp[1000:].std())
pre_tr, pre_va = loaders(xp, yp, 1000, 64)
model = SignalNet(12)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(1, 4):
    model.train()
    for xb, yb in pre_tr:
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        opt.step()
    print(f"pretrain epoch {epoch} val_loss/acc {evaluate(model, pre_va)}")
ckpt = os.path.join(tempfile.mkdtemp(prefix="sensor_"), "pretrained_tones.pt")
torch.save(model, ckpt)

# ---------------- stage 2: fine-tuning on the small labelled set ----------------
xf, yf = fault_data(900)
ft_tr, ft_va = loaders(xf, yf, 300, 16)
model = torch.load(ckpt, weights_only=False)
model.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, 4))

for p in model.backbone.parameters():
    p.requires_grad_(False)
opt = torch.optim.Adam(model.head.parameters(), lr=1e-2)
ACCUM = 4
for epoch in range(1, 13):
    if epoch == 5:          # unfreeze with discriminative learning rates
        for p in model.backbone.parameters():
            p.requires_grad_(True)
        opt = torch.optim.AdamW([{"params": model.backbone.parameters(), "lr": 2e-4},
                                 {"params": model.head.parameters(), "lr": 2e-3}], weight_decay=1e-2)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=8 * math.ceil(len(ft_tr) / ACCUM))
    model.train()
    if epoch < 5:
        model.backbone.eval()   # frozen: keep pretrained BatchNorm statistics
    opt.zero_grad()
    for i, (xb, yb) in enumerate(ft_tr):
        loss = F.cross_entropy(model(xb), yb) / ACCUM
        loss.backward()
        if (i + 1) % ACCUM == 0 or i + 1 == len(ft_tr):
            opt.step()
            opt.zero_grad()
            if epoch >= 5:
                sched.step()
    v_loss, v_acc = evaluate(model, ft_va)
    stage = "frozen" if epoch < 5 else "full"
    print(f"finetune epoch {epoch:2d} [{stage}] last_train_loss {loss.item() * ACCUM:.3f} val_loss {v_loss:.3f} val_acc {v_acc:.4f}")

print(f"FINAL fault val_acc {v_acc:.4f} (chance 0.25)")
