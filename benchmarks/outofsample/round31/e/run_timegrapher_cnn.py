"""Escapement faults from timegrapher microphone traces (clock & watch repair bench).

Each trace is 384 samples of the contact-microphone signal (after band-pass + rectify)
covering ~4-5 beats. Classes: 0 in beat, 1 beat error (tick/tock asymmetry),
2 low amplitude (unlock->drop spacing shrinks), 3 magnetised (jittered beats).
1-D CNN with BatchNorm, SGD Nesterov, linear warm-up then cosine, per-step schedule.
"""
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
rng = np.random.default_rng(7)

L = 384
CLASSES = ["in_beat", "beat_error", "low_amplitude", "magnetised"]


D = np.arange(24)


def burst(sig, t0, amp, width, freq):
    if t0 >= L:
        return
    seg = amp * np.exp(-D / width) * np.abs(np.sin(2 * np.pi * freq * D))
    end = min(L, t0 + len(D))
    sig[t0:end] += seg[:end - t0]


def make_trace(c):
    sig = np.zeros(L)
    period = rng.uniform(78, 90)
    t = rng.uniform(0, 20)
    asym = rng.uniform(0.12, 0.22) if c == 1 else rng.uniform(0.0, 0.03)
    spacing = rng.uniform(9, 13) if c != 2 else rng.uniform(4.5, 7)
    jitter = rng.uniform(4, 8) if c == 3 else 0.6
    k = 0
    while t < L:
        half = period / 2 * (1 + asym * (1 if k % 2 == 0 else -1))
        a = rng.uniform(0.8, 1.2)
        burst(sig, int(t), a * 0.6, 2.0, 0.21)                 # unlock
        burst(sig, int(t + spacing * 0.5), a * 0.4, 1.5, 0.27)  # impulse
        burst(sig, int(t + spacing), a * 1.0, 2.5, 0.18)       # drop
        t += half + rng.normal(0, jitter)
        k += 1
    sig += rng.normal(0, 0.08, L) + rng.uniform(-0.05, 0.05)
    return sig


def make_set(n):
    y = rng.integers(0, 4, n)
    X = np.stack([make_trace(c) for c in y]).astype(np.float32)
    return X, y


Xtr, ytr = make_set(1280)
Xva, yva = make_set(320)
mu, sd = Xtr.mean(), Xtr.std()
Xtr = (Xtr - mu) / sd
Xva = (Xva - mu) / sd

train_ds = TensorDataset(torch.from_numpy(Xtr).unsqueeze(1), torch.from_numpy(ytr))
val_ds = TensorDataset(torch.from_numpy(Xva).unsqueeze(1), torch.from_numpy(yva))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True, drop_last=True)
val_loader = DataLoader(val_ds, batch_size=160)


def block(cin, cout, k):
    return nn.Sequential(nn.Conv1d(cin, cout, k, padding=k // 2, bias=False),
                         nn.BatchNorm1d(cout), nn.ReLU(inplace=True), nn.MaxPool1d(2))


class TickNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.features = nn.Sequential(block(1, 16, 9), block(16, 32, 7), block(32, 48, 5), block(48, 48, 5))
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(48 * 2, n_classes))

    def forward(self, x):
        h = self.features(x)
        h = torch.cat([h.mean(-1), h.amax(-1)], dim=1)
        return self.head(h)


model = TickNet()
epochs = 10
steps = epochs * len(train_loader)
warmup = len(train_loader)  # one epoch
decay, no_decay = [], []
for n, p in model.named_parameters():
    (no_decay if p.ndim == 1 else decay).append(p)
optimizer = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=0.05, momentum=0.9, nesterov=True)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup
    else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (steps - warmup))))
criterion = nn.CrossEntropyLoss()


def evaluate():
    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            total_loss += nn.functional.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
    n = len(val_loader.dataset)
    return total_loss / n, correct / n


for epoch in range(1, epochs + 1):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        running += loss.item()
    vl, va = evaluate()
    print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.4f} train_loss {running / len(train_loader):.4f} "
          f"val_loss {vl:.4f} val_acc {va:.4f}")

print(f"final val_acc {va:.4f}")
