"""Acoustic event tagging on log-mel patches (32 mel bands x 40 frames): hum, rising
chirp, falling chirp, click train, harmonic call, band-limited hiss.

Training recipe: AdamW, linear warm-up then cosine decay (stepped per batch), label
smoothing, gradient clipping as insurance, SpecAugment-style masking, and an exponential
moving average of the weights (a deepcopy) that is evaluated and saved whole."""
import copy
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(13)
rng = np.random.default_rng(13)
MELS, FRAMES, N_CLASSES = 32, 40, 6


def event(label):
    f = np.arange(MELS)[:, None].astype(np.float32)
    t = np.arange(FRAMES)[None, :].astype(np.float32)
    S = np.zeros((MELS, FRAMES), np.float32)
    on, off = sorted(rng.integers(0, FRAMES, 2))
    off = max(off, on + 12)
    active = ((t >= on) & (t < off)).astype(np.float32)
    f0 = rng.uniform(5, 26)
    if label == 0:                                   # stationary hum
        S = np.exp(-(f - f0) ** 2 / 1.5) * active
    elif label in (1, 2):                            # chirps
        slope = rng.uniform(0.1, 0.5) * (1 if label == 1 else -1)
        track = f0 + slope * (t - (on + off) / 2)
        S = np.exp(-(f - track) ** 2 / 1.5) * active
    elif label == 3:                                 # click train
        period = rng.integers(3, 7)
        S = ((t.astype(int) - on) % period == 0) * active * np.exp(-(f - f0) ** 2 / 60)
    elif label == 4:                                 # harmonic call
        base = rng.uniform(3, 7)
        S = sum(np.exp(-(f - k * base) ** 2 / 1.0) / k ** 0.5 for k in range(1, 5)) * active
    else:                                            # band-limited hiss
        S = (np.abs(f - f0) < rng.uniform(2, 5)) * active * rng.uniform(0.3, 1.0, (MELS, FRAMES))
    gain = rng.uniform(0.12, 0.6)
    return np.log1p(8 * gain * S + rng.gamma(1.0, 0.5, (MELS, FRAMES))).astype(np.float32)


def dataset(n):
    y = rng.integers(0, N_CLASSES, n)
    X = np.stack([event(c) for c in y])[:, None]
    return torch.from_numpy(X), torch.from_numpy(y)


Xtr, ytr = dataset(2000)
Xva, yva = dataset(500)
mean, std = Xtr.mean(), Xtr.std()
Xtr, Xva = (Xtr - mean) / std, (Xva - mean) / std


def spec_augment(x):
    b = x.shape[0]
    f0 = torch.randint(0, MELS - 4, (b, 1, 1, 1))
    t0 = torch.randint(0, FRAMES - 6, (b, 1, 1, 1))
    f = torch.arange(MELS).view(1, 1, MELS, 1)
    t = torch.arange(FRAMES).view(1, 1, 1, FRAMES)
    keep = ~(((f >= f0) & (f < f0 + 4)) | ((t >= t0) & (t < t0 + 6)))
    return x * keep


class TaggerCNN(nn.Module):
    def __init__(self):
        super().__init__()
        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(),
                                 nn.MaxPool2d(2))
        self.features = nn.Sequential(block(1, 16), block(16, 32), block(32, 48))
        self.classifier = nn.Linear(48, N_CLASSES)

    def forward(self, x):
        return self.classifier(self.features(x).mean(dim=(2, 3)))


model = TaggerCNN()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)

epochs, batch = 8, 64
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=batch, shuffle=True)
val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=300)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.05)
total_steps = epochs * len(train_loader)
warmup = len(train_loader)


def lr_lambda(step):
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total_steps - warmup)))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)


@torch.no_grad()
def update_ema(step, max_decay=0.98):
    decay = min(max_decay, (1 + step) / (10 + step))
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(net):
    net.eval()
    correct, loss = 0, 0.0
    for xb, yb in val_loader:
        out = net(xb)
        loss += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
    return loss / len(yva), correct / len(yva)


step = 0
for epoch in range(epochs):
    model.train()
    for xb, yb in train_loader:
        loss = criterion(model(spec_augment(xb)), yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
        scheduler.step()
        update_ema(step)
        step += 1
    vl, va = evaluate(model)
    el, ea = evaluate(ema)
    print(f"epoch {epoch + 1} lr {scheduler.get_last_lr()[0]:.2e} val_loss {vl:.4f} val_acc {va:.4f} "
          f"ema_val_loss {el:.4f} ema_val_acc {ea:.4f}")

path = os.path.join(tempfile.mkdtemp(), "tagger_ema.pt")
torch.save(ema, path)
restored = torch.load(path, weights_only=False)
print(f"final ema val_acc {evaluate(restored)[1]:.4f}")
