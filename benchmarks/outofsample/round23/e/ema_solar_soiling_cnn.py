"""Solar-panel soiling triage from drone inspection crops: each 24x24 RGB crop of a module is
clean, dusty (uniform low-frequency film), bird-fouled (a few bright splats) or just shadowed
(a dark band that does not need a cleaning crew). A small BN CNN trained with flip/brightness
augmentation; an exponential moving average of the weights (deepcopy; BN running statistics averaged too) is
what gets shipped, saved whole with torch.save(model) and reloaded for the final score.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)
S = 24
CLASSES = ["clean", "dust", "bird", "shadow"]


def panel(label):
    yy, xx = np.mgrid[0:S, 0:S]
    base = np.stack([0.10 + 0.03 * rng.random(), 0.16 + 0.04 * rng.random(), 0.42 + 0.08 * rng.random()])
    img = np.ones((3, S, S)) * base[:, None, None]
    pitch = rng.integers(5, 8)
    off = rng.integers(0, pitch)
    grid = ((xx + off) % pitch == 0) | ((yy + off) % pitch == 0)
    img[:, grid] = np.array([0.70, 0.72, 0.75])[:, None]            # busbars / cell gaps
    img *= rng.uniform(0.7, 1.3)                                     # sun angle / exposure
    if label == 1:                                                   # dust film: brownish, patchy
        cx, cy = rng.uniform(0, S, 2)
        w = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * rng.uniform(6, 14) ** 2))
        a = rng.uniform(0.15, 0.45) * w
        img = img * (1 - a) + a * np.array([0.55, 0.45, 0.30])[:, None, None]
    elif label == 2:                                                 # bird droppings: small bright blobs
        for _ in range(rng.integers(1, 4)):
            cx, cy = rng.uniform(2, S - 2, 2)
            r = rng.uniform(0.9, 1.8)
            m = ((xx - cx) ** 2 + (yy - cy) ** 2) < r ** 2
            img[:, m] = 0.3 * img[:, m] + 0.7 * np.array([0.92, 0.90, 0.85])[:, None]
    elif label == 3:                                                 # shadow band from a pole or row
        ang = rng.uniform(0, np.pi)
        d = (xx - S / 2) * np.cos(ang) + (yy - S / 2) * np.sin(ang) - rng.uniform(-6, 6)
        img = img * np.where(np.abs(d) < rng.uniform(2, 5), 0.45, 1.0)
    if rng.random() < 0.3:                                           # specular glint, any class
        cx, cy = rng.uniform(0, S, 2)
        img = img + 0.35 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * 1.8 ** 2))
    img += rng.normal(0, 0.06, img.shape)                            # sensor noise
    return np.clip(img, 0, 1)


def make(n):
    y = rng.integers(0, 4, n)
    return np.stack([panel(c) for c in y]).astype(np.float32), y


Xtr, ytr = make(2000)
Xva, yva = make(500)
mean = Xtr.mean(axis=(0, 2, 3), keepdims=True)
std = Xtr.std(axis=(0, 2, 3), keepdims=True)
Xtr, Xva = (Xtr - mean) / std, (Xva - mean) / std

train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=200)


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class SoilingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(block(3, 16), nn.MaxPool2d(2), block(16, 32), nn.MaxPool2d(2),
                                      block(32, 48), nn.AdaptiveAvgPool2d(1))
        self.head = nn.Linear(48, 4)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


def augment(x):
    flip_h = torch.rand(x.size(0)) < 0.5
    flip_v = torch.rand(x.size(0)) < 0.5
    x = torch.where(flip_h[:, None, None, None], x.flip(3), x)
    x = torch.where(flip_v[:, None, None, None], x.flip(2), x)
    return x * (1 + 0.1 * torch.randn(x.size(0), 1, 1, 1))          # exposure jitter


@torch.no_grad()
def evaluate(net):
    net.eval()
    correct = n = 0
    loss = 0.0
    for xb, yb in val_dl:
        out = net(xb)
        loss += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
        n += len(yb)
    return loss / n, correct / n


model = SoilingNet()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
EPOCHS = 10
sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[6, 8], gamma=0.2)
decay = 0.98

for epoch in range(EPOCHS):
    model.train()
    for xb, yb in train_dl:
        loss = F.cross_entropy(model(augment(xb)), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            for ve, vm in zip(ema.state_dict().values(), model.state_dict().values()):
                if ve.dtype.is_floating_point:                       # weights and BN running stats
                    ve.lerp_(vm, 1 - decay)
                else:
                    ve.copy_(vm)
    sched.step()
    vl, va = evaluate(model)
    el, ea = evaluate(ema)
    print(f"epoch {epoch + 1} train_loss {loss.item():.3f} val_loss {vl:.3f} acc {va:.3f} | ema val_loss {el:.3f} acc {ea:.3f}")

path = os.path.join(tempfile.mkdtemp(), "soiling_ema.pt")
torch.save(ema, path)
shipped = torch.load(path, weights_only=False)
vl, va = evaluate(shipped)
print(f"final shipped EMA model: val_loss {vl:.4f} val_acc {va:.4f}")
