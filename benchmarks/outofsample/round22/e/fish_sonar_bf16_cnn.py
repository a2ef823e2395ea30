"""Species of single-fish echoes from a split-beam echosounder (herring, sprat, cod, mackerel, whiting).

A 1-D CNN over the echo envelope and its in-phase trace. Forward passes run under bfloat16 autocast
on the CPU (no GradScaler: bf16 keeps float32's exponent range); the loss is taken in float32.
Linear warm-up then cosine decay through LambdaLR, label smoothing, random range shift and gain as
augmentation.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(21)
rng = np.random.default_rng(21)

SPECIES = ["herring", "sprat", "cod", "mackerel", "whiting"]
T = 192
# (swim-bladder resonance in cycles per 100 samples, echo length in samples, tail decay, has bladder)
PROFILE = [(9.0, 26, 0.10, 1), (12.0, 16, 0.14, 1), (7.0, 38, 0.07, 1), (10.5, 30, 0.20, 0), (8.0, 30, 0.09, 1)]


def echo(species):
    f, length, decay, bladder = PROFILE[species]
    f *= rng.normal(1, 0.08)
    length = int(length * rng.normal(1, 0.15))
    start = int(rng.integers(20, T - 80))
    t = np.arange(T)
    env = np.zeros(T)
    seg = np.arange(T - start)
    env[start:] = np.where(seg < length, np.sin(np.pi * np.clip(seg / max(length, 1), 0, 1)) ** 0.5,
                           np.exp(-decay * (seg - length)))
    strength = (1.0 if bladder else 0.35) * rng.lognormal(0, 0.3)
    carrier = np.cos(2 * np.pi * f * t / 100 + rng.uniform(0, 2 * np.pi))
    if not bladder:  # no bladder: flesh/bone scatter, broadband and weak
        carrier = 0.6 * carrier + 0.4 * rng.normal(0, 1, T)
    x = strength * env * carrier + rng.normal(0, 0.08, T)
    envelope = np.abs(x)
    return np.stack([x, np.convolve(envelope, np.ones(5) / 5, mode="same")])


def make(n):
    y = rng.integers(0, len(SPECIES), n)
    return np.stack([echo(s) for s in y]).astype(np.float32), y


Xtr, ytr = make(1800)
Xva, yva = make(500)
scale = Xtr.reshape(-1, 2, T).std(axis=(0, 2), keepdims=True)  # per-channel, from training echoes
Xtr, Xva = torch.from_numpy(Xtr / scale), torch.from_numpy(Xva / scale)
ytr, yva = torch.from_numpy(ytr), torch.from_numpy(yva)


class EchoNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(2, 24, 7, padding=3), nn.BatchNorm1d(24), nn.GELU(), nn.MaxPool1d(2),
            nn.Conv1d(24, 48, 5, padding=2), nn.BatchNorm1d(48), nn.GELU(), nn.MaxPool1d(2),
            nn.Conv1d(48, 64, 5, padding=2), nn.BatchNorm1d(64), nn.GELU(),
        )
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(128, n_classes))

    def forward(self, x):
        h = self.net(x)
        h = torch.cat([h.mean(-1), h.amax(-1)], 1)
        return self.head(h)


def augment(x):
    shift = int(torch.randint(-15, 16, ()))
    x = torch.roll(x, shift, dims=-1)
    return x * torch.empty(x.size(0), 1, 1).uniform_(0.8, 1.25)


model = EchoNet(len(SPECIES))
EPOCHS, BATCH, WARMUP = 12, 64, 60
steps_total = EPOCHS * math.ceil(len(ytr) / BATCH)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.02)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer,
    lambda s: (s + 1) / WARMUP if s < WARMUP else 0.5 * (1 + math.cos(math.pi * (s - WARMUP) / (steps_total - WARMUP))),
)


def evaluate():
    model.eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        logits = model(Xva)
    logits = logits.float()
    return F.cross_entropy(logits, yva).item(), (logits.argmax(1) == yva).float().mean().item()


for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(ytr))
    total = 0.0
    for i in range(0, len(perm), BATCH):
        idx = perm[i:i + BATCH]
        xb, yb = augment(Xtr[idx]), ytr[idx]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(xb)
        loss = F.cross_entropy(logits.float(), yb, label_smoothing=0.1)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(idx)
    val_loss, val_acc = evaluate()
    print(f"epoch {epoch + 1:2d} lr {scheduler.get_last_lr()[0]:.2e} train_loss {total / len(ytr):.4f} "
          f"val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

print(f"final val_acc {evaluate()[1]:.4f}")
