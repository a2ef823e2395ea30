"""Floorboard survey: what makes the noise?

A restorer walks old parquet with a contact microphone; each footstep gives a
short 1 kHz-sampled snippet. Classes: 0 sound board, 1 loose nail (sharp
clicks), 2 dry tongue-and-groove (broadband rub), 3 joist creak (low gliding
tone). A 1D CNN trained under CPU bfloat16 autocast, with gradient accumulation
over two micro-batches (the effective batch is 64) and a step LR decay.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)
T, FS = 256, 1000.0
t = np.arange(T) / FS


def footstep(cls):
    x = 0.3 * rng.normal(size=T)
    env = np.exp(-((t - rng.uniform(0.05, 0.1)) ** 2) / 0.002)
    x += 1.5 * env * np.sin(2 * np.pi * rng.uniform(20, 35) * t)      # the step itself
    if cls == 1:
        for c in rng.uniform(0.02, 0.24, rng.integers(2, 5)):
            k = int(c * FS)
            x[k:k + 3] += rng.choice([-1, 1]) * rng.uniform(0.9, 1.8)
    elif cls == 2:
        start = rng.integers(40, 140)
        burst = rng.normal(size=60) * np.hanning(60) * rng.uniform(0.4, 0.8)
        x[start:start + 60] += burst
    elif cls == 3:
        f0, f1 = rng.uniform(60, 90), rng.uniform(110, 160)
        phase = 2 * np.pi * np.cumsum(np.linspace(f0, f1, T)) / FS
        x += rng.uniform(0.2, 0.4) * np.sin(phase) * np.hanning(T)
    return x * rng.uniform(0.6, 1.6)                                   # mic gain varies


N = 2000
labels = rng.integers(0, 4, N)
X = np.stack([footstep(c) for c in labels]).astype(np.float32)[:, None, :]
scale = X[:1600].std()
X = X / scale
Xt, yt = torch.from_numpy(X), torch.from_numpy(labels)
train = TensorDataset(Xt[:1600], yt[:1600])
val = TensorDataset(Xt[1600:], yt[1600:])
train_loader = DataLoader(train, batch_size=32, shuffle=True, drop_last=True)
val_loader = DataLoader(val, batch_size=200)


class SqueakNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 9, padding=4), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
        )
        self.head = nn.Linear(64, 4)

    def forward(self, x):
        h = self.features(x)
        h = torch.cat([h.mean(-1), h.amax(-1)], 1)
        return self.head(h)


model = SqueakNet()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.3)
ACCUM = 2


def evaluate():
    model.eval()
    correct = total = 0
    loss_sum = 0.0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for xb, yb in val_loader:
            out = model(xb)
            loss_sum += F.cross_entropy(out.float(), yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            total += len(yb)
    return loss_sum / total, correct / total


for epoch in range(1, 13):
    model.train()
    optimizer.zero_grad()
    for i, (xb, yb) in enumerate(train_loader):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = model(xb)
        loss = F.cross_entropy(out.float(), yb) / ACCUM
        loss.backward()
        if (i + 1) % ACCUM == 0:
            optimizer.step()
            optimizer.zero_grad()
    scheduler.step()
    vl, va = evaluate()
    if epoch % 2 == 0:
        print(f"epoch {epoch:2d} val loss {vl:.3f} val acc {va:.3f}")

print(f"final val accuracy {va:.3f}")
