"""Which tool cut this patch of an engraved map plate?

20x20 grey-level patches scanned from copper-plate map proofs: burin line hatching, cross
hatching, roulette (dotted lines), stipple, and aquatint-like grain. Orientation and line pitch
vary, so training uses flips, 90-degree turns and brightness jitter. Small CNN, SGD + Nesterov,
MultiStepLR; an EMA copy of the model (copy.deepcopy) is what gets saved (torch.save of the
whole module) and evaluated after reloading.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
rng = np.random.default_rng(21)
S = 20
yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)


def lines(theta, pitch, phase, width):
    d = xx * np.cos(theta) + yy * np.sin(theta) + phase
    return (np.abs(((d / pitch) % 1.0) - 0.5) * pitch < width / 2).astype(np.float32)


def patch(kind):
    theta, pitch = rng.uniform(0, np.pi), rng.uniform(3.0, 5.5)
    width = rng.uniform(0.8, 1.6)
    if kind == 0:    # burin hatching
        img = lines(theta, pitch, rng.uniform(0, pitch), width)
    elif kind == 1:  # cross hatching
        img = np.maximum(lines(theta, pitch, rng.uniform(0, 5), width),
                         lines(theta + rng.uniform(0.9, 1.6), pitch, rng.uniform(0, 5), width))
    elif kind == 2:  # roulette: dotted lines
        along = -xx * np.sin(theta) + yy * np.cos(theta)
        img = lines(theta, pitch, rng.uniform(0, pitch), width) * ((along % 2.5) < 1.3)
    elif kind == 3:  # stipple
        img = (rng.random((S, S)) < rng.uniform(0.12, 0.3)).astype(np.float32)
    else:            # aquatint grain: blurred noise thresholded
        g = rng.normal(size=(S, S))
        g = (g + np.roll(g, 1, 0) + np.roll(g, 1, 1) + np.roll(g, -1, 0) + np.roll(g, -1, 1)) / 5
        img = (g > rng.uniform(-0.1, 0.4)).astype(np.float32)
    ink = rng.uniform(0.4, 1.0)
    img = ink * img + rng.normal(0, 0.25, (S, S))       # paper texture and wear
    return img.astype(np.float32)


def plates(n):
    y = rng.integers(0, 5, n)
    X = np.stack([patch(k) for k in y])[:, None]
    return torch.from_numpy(X), torch.from_numpy(y).long()


Xtr, ytr = plates(2000)
Xte, yte = plates(700)
MEAN, STD = Xtr.mean().item(), Xtr.std().item()


def augment(x):
    if torch.rand(()) < 0.5:
        x = x.flip(-1)
    x = torch.rot90(x, int(torch.randint(0, 4, ())), dims=(-2, -1))
    return x * (1 + 0.15 * torch.randn(x.shape[0], 1, 1, 1))


class ToolNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 24, 3, padding=1)
        self.b1 = nn.BatchNorm2d(24)
        self.c2 = nn.Conv2d(24, 48, 3, padding=1)
        self.b2 = nn.BatchNorm2d(48)
        self.c3 = nn.Conv2d(48, 64, 3, padding=1)
        self.b3 = nn.BatchNorm2d(64)
        self.fc = nn.Linear(64, 5)

    def forward(self, x):
        x = (x - MEAN) / STD
        x = F.max_pool2d(F.relu(self.b1(self.c1(x))), 2)
        x = F.max_pool2d(F.relu(self.b2(self.c2(x))), 2)
        x = F.relu(self.b3(self.c3(x)))
        return self.fc(x.mean((2, 3)))


model = ToolNet()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)
DECAY = 0.99


@torch.no_grad()
def ema_update(step):
    d = min(DECAY, (1 + step) / (10 + step))
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(d).add_(pm.detach(), alpha=1 - d)
    for be, bm in zip(ema.buffers(), model.buffers()):
        if be.dtype.is_floating_point:
            be.mul_(d).add_(bm, alpha=1 - d)
        else:
            be.copy_(bm)


def accuracy(net, X, y):
    net.eval()
    with torch.no_grad():
        return (net(X).argmax(1) == y).float().mean().item()


loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True, drop_last=True)
opt = torch.optim.SGD(model.parameters(), lr=0.03, momentum=0.9, nesterov=True, weight_decay=5e-4)
EPOCHS = 8
sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[5, 7], gamma=0.2)
step = 0
for epoch in range(EPOCHS):
    model.train()
    tot = 0.0
    for xb, yb in loader:
        loss = F.cross_entropy(model(augment(xb)), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        ema_update(step)
        step += 1
        tot += loss.item() * len(yb)
    sched.step()
    print(f"epoch {epoch + 1:2d} lr {sched.get_last_lr()[0]:.4f} train loss {tot / len(Xtr):.3f} "
          f"test acc {accuracy(model, Xte, yte):.3f} ema {accuracy(ema, Xte, yte):.3f}")

path = os.path.join(tempfile.mkdtemp(), "engraving_tool_ema.pt")
torch.save(ema, path)
restored = torch.load(path, weights_only=False)
print(f"final test accuracy (EMA weights, reloaded) {accuracy(restored, Xte, yte):.3f}")
