"""Rolling-bearing condition from accelerometer windows sampled by a 12-bit ADC at 4096 Hz.

Classes: 0 healthy, 1 outer-race defect, 2 inner-race defect, 3 rolling-element defect.
Small 1-D CNN trained with a hand-written SGD update.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ADC_MID = 2048
FS = 4096.0
WIN = 256
DEFECT = {1: (107.0, 900.0), 2: (162.0, 1300.0), 3: (71.0, 600.0)}   # (impact rate Hz, resonance Hz)

torch.manual_seed(11)
rng = np.random.default_rng(11)


def record(label):
    t = np.arange(WIN) / FS
    shaft = rng.uniform(24, 30)
    sig = 60 * np.sin(2 * np.pi * shaft * t + rng.uniform(0, 6.3))
    sig += rng.normal(0, 20, WIN)
    if label:
        rate, res = DEFECT[label]
        period = int(FS / (rate * rng.uniform(0.95, 1.05)))
        impacts = np.zeros(WIN)
        impacts[rng.integers(0, period)::period] = 1.0
        k = np.arange(32)
        ring = np.exp(-k / 6.0) * np.sin(2 * np.pi * res * k / FS)
        sig += rng.uniform(50, 90) * np.convolve(impacts, ring)[:WIN]
    return np.clip(np.round(ADC_MID + sig), 0, 4095)


def to_tensor(counts):
    return torch.tensor((counts - ADC_MID) / 64.0, dtype=torch.float32).unsqueeze(1)


labels = rng.integers(0, 4, 3000)
windows = np.stack([record(l) for l in labels])
X, y = to_tensor(windows), torch.tensor(labels)
Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]

model = nn.Sequential(
    nn.Conv1d(1, 16, 9, stride=2), nn.ReLU(),
    nn.Conv1d(16, 32, 9, stride=2), nn.ReLU(),
    nn.AdaptiveMaxPool1d(4), nn.Flatten(),
    nn.Linear(128, 4),
)

lr, epochs, bs = 0.05, 15, 32
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    total = 0.0
    for i in range(0, len(Xtr), bs):
        idx = perm[i:i + bs]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        total += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    if epoch % 3 == 2:
        print(f"epoch {epoch + 1}: train loss {total / len(Xtr):.4f}  val acc {acc:.4f}")
print(f"final val accuracy {acc:.4f}")
