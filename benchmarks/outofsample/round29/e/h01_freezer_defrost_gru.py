"""Ice-cream display freezers: classify the cabinet's condition from a 6-hour trace.

Each trace is 180 samples (one every 2 minutes) of cabinet air temperature, compressor
duty and the door switch. The condition is one of: normal, iced evaporator (slow pull-down
after each defrost), worn door gasket (warm drift while the door is shut) and failing
evaporator fan (short-cycling compressor). A single-layer GRU reads the whole trace.
"""
import math
import random

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 7
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

CLASSES = ["normal", "iced_evaporator", "door_gasket", "fan_failing"]
T = 180


def make_traces(n, rng):
    X = np.zeros((n, T, 3), dtype=np.float32)
    y = rng.integers(0, 4, size=n)
    t = np.arange(T)
    for i in range(n):
        c = y[i]
        setpoint = rng.uniform(-22, -16)
        temp = np.full(T, setpoint) + rng.normal(0, 0.25, T)
        duty = np.clip(rng.normal(0.45 if c != 1 else 0.52, 0.05, T), 0, 1)
        door = (rng.random(T) < rng.uniform(0.02, 0.08)).astype(np.float32)
        # door openings warm the cabinet for a few samples
        for k in np.flatnonzero(door):
            temp[k:k + 4] += rng.uniform(1.0, 2.5) * np.exp(-np.arange(min(4, T - k)) / 1.5)
        # one or two defrost cycles at a random time
        for _ in range(rng.integers(1, 3)):
            start = rng.integers(10, T - 60)
            recover = rng.integers(6, 12) if c != 1 else rng.integers(18, 36)
            length = 10
            temp[start:start + length] += np.linspace(0, 12, length)
            tail = np.arange(recover)
            seg = temp[start + length:start + length + recover]
            temp[start + length:start + length + recover] = seg + 12 * np.exp(-3 * tail / recover)[:len(seg)]
            duty[start:start + length] = 0.0
            duty[start + length:start + length + recover] = 1.0
        if c == 2:
            drift = np.cumsum(rng.normal(0.03, 0.02, T))
            drift -= np.maximum.accumulate(np.where(duty > 0.9, drift, -1e9).clip(min=0))
            temp += np.clip(drift, 0, 3)
            duty = np.clip(duty + rng.uniform(0.0, 0.12), 0, 1)
        if c == 3:
            period = rng.uniform(8, 20)
            phase = rng.uniform(0, 2 * math.pi)
            cyc = np.where(np.sin(2 * math.pi * t / period + phase) > 0, 0.95, 0.05)
            duty = np.where(rng.random(T) < 0.9, cyc, duty)
            temp += 0.7 * np.sin(2 * math.pi * t / period + phase + 1.2)
        X[i, :, 0] = temp
        X[i, :, 1] = duty
        X[i, :, 2] = door
    return X, y


rng = np.random.default_rng(SEED)
X, y = make_traces(1200, rng)
Xtr, ytr, Xva, yva = X[:900], y[:900], X[900:], y[900:]
mean = Xtr.reshape(-1, 3).mean(0)
std = Xtr.reshape(-1, 3).std(0)
Xtr = (Xtr - mean) / std
Xva = (Xva - mean) / std

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr).long()),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva).long()),
                        batch_size=256)


class TraceGRU(nn.Module):
    def __init__(self, n_in=3, hidden=40, n_classes=4):
        super().__init__()
        self.proj = nn.Linear(n_in, 24)
        self.gru = nn.GRU(24, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        h, _ = self.gru(torch.relu(self.proj(x)))
        # last state plus mean over time: defrost events can be anywhere in the trace
        feat = h[:, -1] + h.mean(dim=1)
        return self.head(feat)


model = TraceGRU()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
EPOCHS = 12
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS, eta_min=1e-4)
criterion = nn.CrossEntropyLoss()


def evaluate():
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            loss_sum += criterion(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            total += len(yb)
    return loss_sum / total, correct / total


for epoch in range(1, EPOCHS + 1):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
        running += loss.item() * len(yb)
    scheduler.step()
    val_loss, val_acc = evaluate()
    print(f"epoch {epoch:2d} train_loss {running / len(Xtr):.4f} val_loss {val_loss:.4f} val_acc {val_acc:.3f}")

print(f"final val_acc {val_acc:.4f}")
