"""Lift-door operator health from the tri-axial accelerometer trace of one open/close cycle
(256 samples at 100 Hz, resampled to cycle time). Faults the maintenance contractor cares
about: worn rollers (periodic impacts), misaligned sill track (bump at a fixed door position),
slack belt (rattle in the travel phase), obstruction reversal (abrupt stop and re-open).

1-D CNN trained under CPU bfloat16 autocast (no GradScaler needed for bf16), OneCycle LR.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
rng = np.random.default_rng(21)
T = 256
t = np.linspace(0, 1, T)


def cycle(label):
    dur = rng.uniform(0.85, 1.15)
    phase = np.clip(t * dur, 0, 1)
    prof = np.sin(np.pi * np.clip(phase * 2, 0, 1)) ** 2 - np.sin(np.pi * np.clip(phase * 2 - 1, 0, 1)) ** 2
    x = np.zeros((3, T))
    x[0] = 0.8 * np.gradient(prof) * T / 8                         # travel axis: accel/decel
    x[1] = 0.05 * np.sin(2 * np.pi * rng.uniform(40, 60) * t)       # motor hum
    x[2] = 0.05 * rng.standard_normal(T)
    moving = np.abs(np.gradient(prof)) > 0.002
    sev = rng.uniform(0.2, 1.0)                                     # incipient to advanced
    if label == 1:                                                  # worn roller: periodic ticks
        period = rng.integers(9, 15)
        ticks = (np.arange(T) % period == 0) & moving
        x[1] += ticks * sev * 0.35
        x[2] += ticks * sev * 0.15
    elif label == 2:                                                # track bump at a fixed spot
        pos = rng.uniform(0.3, 0.45)
        idx = np.argmin(np.abs(phase - pos))
        x[2] += sev * 0.5 * np.exp(-((np.arange(T) - idx) ** 2) / 18.0)
    elif label == 3:                                                # slack belt rattle
        x[0] += moving * sev * 0.35 * np.sin(2 * np.pi * rng.uniform(18, 26) * t + rng.uniform(0, 6))
    elif label == 4:                                                # obstruction, reversal
        k = rng.integers(60, 110)
        x[0, k:k + 3] -= sev * 1.2
        x[0, k + 3:] = np.roll(x[0], -k // 2)[k + 3:] * 0.8
    x += rng.normal(0, 0.1, x.shape)
    x *= rng.uniform(0.8, 1.25)                                     # sensor mounting gain
    return x


def make(n):
    y = rng.choice(5, n, p=[0.4, 0.15, 0.15, 0.15, 0.15])
    return np.stack([cycle(c) for c in y]).astype(np.float32), y


Xtr, ytr = make(2500)
Xva, yva = make(600)
mu = Xtr.mean(axis=(0, 2), keepdims=True)
sd = Xtr.std(axis=(0, 2), keepdims=True)
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True, drop_last=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=300)


class DoorNet(nn.Module):
    def __init__(self, c_in=3, n_cls=5):
        super().__init__()
        chans = [c_in, 24, 32, 48]
        layers = []
        for a, b in zip(chans[:-1], chans[1:]):
            layers += [nn.Conv1d(a, b, 7, padding=3, bias=False), nn.BatchNorm1d(b), nn.GELU(), nn.MaxPool1d(2)]
        self.body = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(2 * chans[-1], n_cls))

    def forward(self, x):
        h = self.body(x)
        return self.head(torch.cat([h.mean(-1), h.amax(-1)], 1))


model = DoorNet()
EPOCHS = 8
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=EPOCHS * len(train_dl), pct_start=0.2)

for epoch in range(EPOCHS):
    model.train()
    tot = 0.0
    for xb, yb in train_dl:
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            logits = model(xb)
        loss = F.cross_entropy(logits.float(), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        tot += loss.item()
    model.eval()
    correct, vloss = 0, 0.0
    per_cls = np.zeros((5, 2))
    with torch.no_grad(), torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        for xb, yb in val_dl:
            out = model(xb).float()
            vloss += F.cross_entropy(out, yb, reduction="sum").item()
            pred = out.argmax(1)
            correct += (pred == yb).sum().item()
            for c in range(5):
                per_cls[c] += [((pred == c) & (yb == c)).sum().item(), (yb == c).sum().item()]
    print(f"epoch {epoch + 1} train_loss {tot / len(train_dl):.4f} val_loss {vloss / len(Xva):.4f} "
          f"val_acc {correct / len(Xva):.3f}")
recall = per_cls[:, 0] / per_cls[:, 1]
print(f"final val_acc {correct / len(Xva):.4f} balanced_acc {recall.mean():.4f} per-class recall {np.round(recall, 3).tolist()}")
