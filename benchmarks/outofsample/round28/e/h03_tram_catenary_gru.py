"""Tram overhead line: classify 2-second pantograph current windows (100 samples) as
normal running / arcing / contact loss. Events occur anywhere in the window, so a GRU reads
the whole sequence. Trained under CPU bfloat16 autocast, with gradient clipping as routine
insurance for the recurrent net and a cosine schedule; early stopping keeps the best epoch.
"""
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)
T = 100


def window(label):
    t = np.arange(T)
    speed = rng.uniform(0.3, 1.0)
    current = 0.6 * speed + 0.15 * np.sin(2 * np.pi * t / rng.uniform(30, 60) + rng.uniform(0, 6))
    current += rng.normal(0, 0.05, T)
    voltage = 1.0 - 0.1 * current + rng.normal(0, 0.02, T)
    if label == 1:   # arcing: short bursts of high-frequency ripple and voltage dips
        for _ in range(rng.integers(1, 4)):
            s = rng.integers(0, T - 8); w = rng.integers(3, 8)
            current[s:s + w] += rng.normal(0, 0.14, w)
            voltage[s:s + w] -= rng.uniform(0.02, 0.08)
    elif label == 2:  # contact loss: current collapses for a few samples, then an inrush
        s = rng.integers(0, T - 12); w = rng.integers(2, 6)
        current[s:s + w] *= rng.uniform(0.3, 0.6)
        current[s + w:s + w + 3] += rng.uniform(0.1, 0.25)
        voltage[s:s + w] += 0.03
    accel = np.gradient(current)
    return np.stack([current, voltage, accel * 5], -1)


def build(n):
    y = rng.choice(3, n, p=[0.5, 0.25, 0.25])
    return np.stack([window(l) for l in y]).astype(np.float32), y


Xtr, ytr = build(1400)
Xva, yva = build(400)
mu, sd = Xtr.reshape(-1, 3).mean(0), Xtr.reshape(-1, 3).std(0)
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=400)


class CatenaryGRU(nn.Module):
    def __init__(self, d_in=3, hidden=40, n_cls=3):
        super().__init__()
        self.gru = nn.GRU(d_in, hidden, batch_first=True)
        self.cls = nn.Linear(2 * hidden, n_cls)

    def forward(self, x):
        h, _ = self.gru(x)
        pooled = torch.cat([h.mean(1), h.amax(1)], -1)   # events can sit anywhere in the window
        return self.cls(pooled)


model = CatenaryGRU()
epochs = 8
opt = torch.optim.Adam(model.parameters(), lr=4e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * len(train_loader))
ce = nn.CrossEntropyLoss()
best_acc, best_state, patience = 0.0, None, 0

for epoch in range(epochs):
    model.train()
    for xb, yb in train_loader:
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(xb)
        loss = ce(logits.float(), yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        xb, yb = next(iter(val_loader))
        acc = (model(xb).argmax(1) == yb).float().mean().item()
    print(f"epoch {epoch + 1:2d} loss {loss.item():.4f} val acc {acc:.3f}")
    if acc > best_acc:
        best_acc, best_state, patience = acc, copy.deepcopy(model.state_dict()), 0
    else:
        patience += 1
        if patience >= 3:
            print("early stop")
            break

model.load_state_dict(best_state)
print(f"final val accuracy {best_acc:.3f}")
