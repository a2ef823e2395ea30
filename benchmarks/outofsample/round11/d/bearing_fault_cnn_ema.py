"""Rolling-bearing fault classification from accelerometer snippets.

Four conditions (normal, inner race, outer race, ball defect); each defect excites a
structural resonance (which depends on the transmission path) at its own
characteristic repetition rate. A small 1-D CNN trained
with on-the-fly augmentation (random crop offset, gain, sensor noise), label smoothing,
and an exponential moving average of the weights that is used for evaluation.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(17)
rng = np.random.default_rng(17)

FS, WIN, RAW = 12000, 384, 512           # Hz, model window, recorded snippet
CLASSES = ["normal", "inner", "outer", "ball"]
DEFECT_HZ = {1: 162.0, 2: 107.0, 3: 141.0}
RESONANCE_HZ = {1: 3400.0, 2: 2300.0, 3: 4300.0}   # transmission path differs per defect site


def snippet(label):
    t = np.arange(RAW) / FS
    shaft = 29.5 * rng.uniform(0.95, 1.05)
    x = 0.3 * np.sin(2 * np.pi * shaft * t + rng.uniform(0, 6.3))
    if label:
        f = DEFECT_HZ[label] * rng.uniform(0.97, 1.03)
        res = RESONANCE_HZ[label] * rng.uniform(0.94, 1.06)
        impulses = np.zeros(RAW)
        period = FS / f
        start = rng.uniform(0, period)
        for k in np.arange(start, RAW, period):
            amp = 1.0 + (0.6 * np.sin(2 * np.pi * shaft * k / FS) if label == 1 else 0.0)
            impulses[int(k)] += amp * rng.uniform(0.7, 1.3)
        ring = np.exp(-np.arange(80) / 12.0) * np.sin(2 * np.pi * res * np.arange(80) / FS)
        x = x + 0.8 * np.convolve(impulses, ring)[:RAW]
    return x + rng.normal(0, 0.35, RAW)


def dataset(n):
    y = rng.integers(0, 4, n)
    X = np.stack([snippet(c) for c in y]).astype(np.float32)
    return torch.from_numpy(X), torch.from_numpy(y)


X_tr, y_tr = dataset(1000)
X_va, y_va = dataset(400)
scale = X_tr.std()


def augment(xb):
    off = torch.randint(0, RAW - WIN + 1, (1,)).item()
    xb = xb[:, off:off + WIN]
    gain = torch.empty(len(xb), 1).uniform_(0.8, 1.25)
    return xb * gain + 0.05 * torch.randn_like(xb)


def center(xb):
    off = (RAW - WIN) // 2
    return xb[:, off:off + WIN]


class BearingNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        def blk(i, o, k):
            return nn.Sequential(nn.Conv1d(i, o, k, padding=k // 2), nn.BatchNorm1d(o), nn.ReLU(), nn.MaxPool1d(2))
        self.features = nn.Sequential(blk(1, 16, 9), blk(16, 32, 7), blk(32, 48, 5), blk(48, 64, 5), blk(64, 64, 3))
        self.head = nn.Linear(64, n_classes)

    def forward(self, x):
        h = self.features(x.unsqueeze(1) / scale)
        return self.head(h.mean(-1))


model = BearingNet()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
EMA_DECAY = 0.98

optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)


@torch.no_grad()
def ema_update(step):
    decay = min(EMA_DECAY, (1 + step) / (10 + step))     # short warm-up of the decay
    # parameters and BatchNorm statistics alike (as timm's ModelEmaV2 does)
    msd = model.state_dict()
    for k, v in ema.state_dict().items():
        if v.dtype.is_floating_point:
            v.mul_(decay).add_(msd[k].detach(), alpha=1 - decay)
        else:
            v.copy_(msd[k])


@torch.no_grad()
def accuracy(net):
    net.eval()
    logits = net(center(X_va))
    return (logits.argmax(1) == y_va).float().mean().item(), F.cross_entropy(logits, y_va).item()


BATCH = 50
step = 0
for epoch in range(1, 16):
    model.train()
    perm = torch.randperm(len(X_tr))
    total = 0.0
    for i in range(0, len(perm), BATCH):
        idx = perm[i:i + BATCH]
        loss = criterion(model(augment(X_tr[idx])), y_tr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        ema_update(step)
        step += 1
        total += loss.item() * len(idx)
    acc, vloss = accuracy(ema)
    print(f"epoch {epoch:2d}  train_loss {total / len(X_tr):.4f}  ema val_loss {vloss:.4f}  ema val_acc {acc:.4f}")

print(f"final EMA val accuracy {acc:.4f}  (raw model {accuracy(model)[0]:.4f})")
