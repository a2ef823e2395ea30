"""Harpsichord voicing: tell the plectrum material from a single recorded pluck.

A restorer records one pluck per jack (contact mic, 2 kHz, first 256 samples) and wants to know
which plectrum is fitted: crow quill, condor quill, Delrin, Celcon or leather.  Materials differ
in attack sharpness, brightness (harmonic roll-off) and the little buzz of the release.
1-D CNN, AdamW, an EMA copy of the weights (copy.deepcopy) that is evaluated and saved whole.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
torch.set_num_threads(1)
rng = np.random.default_rng(5)

MATERIALS = ["crow", "condor", "delrin", "celcon", "leather"]
# (harmonic roll-off exponent, attack samples, release buzz level, decay per sample)
VOICE = {0: (1.1, 3, 0.10, 0.012), 1: (1.4, 4, 0.06, 0.010), 2: (1.0, 2, 0.02, 0.014),
         3: (1.25, 2, 0.03, 0.016), 4: (2.2, 9, 0.00, 0.022)}
T, FS = 256, 2000.0


def pluck(mat, rng):
    roll, attack, buzz, decay = VOICE[mat]
    f0 = rng.uniform(55, 180)                       # note of the string
    t = np.arange(T) / FS
    sig = np.zeros(T)
    for k in range(1, 9):
        if k * f0 > FS / 2:
            break
        amp = k ** (-roll * rng.uniform(0.9, 1.1))
        sig += amp * np.sin(2 * np.pi * k * f0 * t + rng.uniform(0, 2 * np.pi))
    env = np.exp(-decay * rng.uniform(0.85, 1.15) * np.arange(T))
    env *= np.clip(np.arange(T) / attack, 0, 1)
    sig *= env
    sig += buzz * rng.standard_normal(T) * np.exp(-np.arange(T) / 25.0)
    sig += 0.03 * rng.standard_normal(T)
    sig *= rng.uniform(0.5, 1.5)                    # mic gain varies per session
    return sig / (np.abs(sig).max() + 1e-6)


y = rng.integers(0, 5, 2500)
X = np.stack([pluck(m, rng) for m in y])[:, None, :].astype(np.float32)
perm = rng.permutation(len(y))
tr, va = perm[:2000], perm[2000:]
train_dl = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])), batch_size=64,
                      shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=250)


class PluckNet(nn.Module):
    def __init__(self, n_cls):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 9, stride=2, padding=4), nn.GroupNorm(4, 16), nn.ReLU(),
            nn.Conv1d(16, 32, 7, stride=2, padding=3), nn.GroupNorm(8, 32), nn.ReLU(),
            nn.Conv1d(32, 32, 5, stride=2, padding=2), nn.GroupNorm(8, 32), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, n_cls))
        for m in self.modules():
            if isinstance(m, nn.Conv1d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.GroupNorm):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        h = self.features(x)
        h = torch.cat([h.mean(-1), h.amax(-1)], 1)   # average + max pooling over time
        return self.head(h)


model = PluckNet(len(MATERIALS))
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
EPOCHS = 16
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)


@torch.no_grad()
def update_ema(decay=0.98):
    msd = model.state_dict()
    for k, v in ema.state_dict().items():
        if v.dtype.is_floating_point:
            v.mul_(decay).add_(msd[k], alpha=1 - decay)
        else:
            v.copy_(msd[k])


@torch.no_grad()
def evaluate(net):
    net.eval()
    correct = loss = 0.0
    for xb, yb in val_dl:
        out = net(xb)
        loss += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
    return loss / len(va), correct / len(va)


for epoch in range(1, EPOCHS + 1):
    model.train()
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        update_ema()
    sched.step()
    vl, va_acc = evaluate(ema)
    if epoch % 4 == 0:
        print(f"epoch {epoch:2d}  train_loss {loss.item():.3f}  ema_val_loss {vl:.3f}  ema_val_acc {va_acc:.3f}")

path = os.path.join(tempfile.mkdtemp(), "pluck_ema.pt")
torch.save(ema, path)
restored = torch.load(path, weights_only=False)
vl, acc = evaluate(restored)
print(f"final ema_val_loss={vl:.4f} ema_val_acc={acc:.4f}")
