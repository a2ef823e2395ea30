"""Bat species from single echolocation calls picked up by a static detector.

Five call types: a linear down-sweep, a hyperbolic down-sweep over the same band, an
up-sweeping social call over the same band, a constant-frequency call with an FM tail,
and a short quasi-CF call.  The first three share one magnitude spectrum, so the model
has to read the time-frequency shape.

1-D ResNet on the raw (band-limited, downsampled) waveform.  Weights are tracked by an
exponential moving average kept in a deepcopy; the EMA copy is what gets checkpointed
with torch.save(model) and scored.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

torch.manual_seed(3)
np.random.seed(3)
L = 256


def call(species, rng):
    dur = int(rng.uniform(70, 120))
    t = np.linspace(0, 1, dur)
    f_hi, f_lo = rng.uniform(0.30, 0.36), rng.uniform(0.12, 0.16)
    if species == 0:
        f = f_hi + (f_lo - f_hi) * t
    elif species == 1:
        f = 1.0 / (1.0 / f_hi + (1.0 / f_lo - 1.0 / f_hi) * t)
    elif species == 2:
        f = f_lo + (f_hi - f_lo) * t
    elif species == 3:
        cf = rng.uniform(0.26, 0.30)
        f = np.where(t < 0.75, cf, cf - (t - 0.75) * 4 * rng.uniform(0.08, 0.12))
    else:
        dur = int(rng.uniform(40, 60))
        t = np.linspace(0, 1, dur)
        f = rng.uniform(0.22, 0.26) - 0.04 * t
    phase = 2 * np.pi * np.cumsum(f) + rng.uniform(0, 2 * np.pi)
    sig = np.hanning(dur) * np.sin(phase)
    out = np.zeros(L)
    start = rng.integers(0, L - dur)
    out[start:start + dur] = sig * rng.uniform(0.3, 1.0)
    out += rng.normal(0, rng.uniform(0.15, 0.35), L)
    return out


def make(n, rng):
    y = rng.integers(0, 5, n)
    X = np.stack([call(s, rng) for s in y]).astype(np.float32)
    X /= X.std(axis=1, keepdims=True)          # per-recording gain normalisation
    return X, y


rng = np.random.default_rng(3)
Xtr, ytr = make(1600, rng)
Xva, yva = make(500, rng)
Xte, yte = make(800, rng)


class BasicBlock1d(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv1d(cin, cout, 5, stride, 2, bias=False)
        self.bn1 = nn.BatchNorm1d(cout)
        self.conv2 = nn.Conv1d(cout, cout, 5, 1, 2, bias=False)
        self.bn2 = nn.BatchNorm1d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv1d(cin, cout, 1, stride, bias=False), nn.BatchNorm1d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.short is None else self.short(x)))


class CallNet(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(1, 24, 7, 2, 3, bias=False), nn.BatchNorm1d(24), nn.ReLU())
        self.layers = nn.Sequential(BasicBlock1d(24, 24, 1), BasicBlock1d(24, 32, 2), BasicBlock1d(32, 48, 2))
        self.fc = nn.Linear(48, n_classes)

    def forward(self, x):
        x = self.layers(self.stem(x.unsqueeze(1)))
        return self.fc(x.mean(-1))


train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
model = CallNet()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
ema_decay = 0.97
ema_updates = 0

optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
epochs = 8
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)


@torch.no_grad()
def update_ema():
    global ema_updates
    ema_updates += 1
    d = min(ema_decay, (1 + ema_updates) / (10 + ema_updates))    # warm-up of the decay
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.lerp_(pm, 1 - d)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(net, X, y):
    net.eval()
    logits = net(torch.from_numpy(X))
    return F.cross_entropy(logits, torch.from_numpy(y)).item(), (logits.argmax(1).numpy() == y).mean()


for epoch in range(epochs):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        update_ema()
    scheduler.step()
    vl, va = evaluate(model, Xva, yva)
    el, ea = evaluate(ema, Xva, yva)
    print(f"epoch {epoch + 1:2d} loss {loss.item():.4f} val loss/acc raw {vl:.3f}/{va:.3f} ema {el:.3f}/{ea:.3f}")

ckpt = os.path.join(tempfile.mkdtemp(), "callnet_ema.pt")
torch.save(ema, ckpt)
restored = torch.load(ckpt, weights_only=False)

spec = lambda X: np.abs(np.fft.rfft(X, axis=1))
sc = StandardScaler().fit(spec(Xtr))
base = LogisticRegression(max_iter=2000, C=1.0).fit(sc.transform(spec(Xtr)), ytr)
print(f"baseline logistic regression on |FFT|: test acc {base.score(sc.transform(spec(Xte)), yte):.3f}")
print(f"raw model test acc: {evaluate(model, Xte, yte)[1]:.3f}")
print(f"final EMA checkpoint test acc: {evaluate(restored, Xte, yte)[1]:.3f}")
