"""Woodblock print archive: classify the carved motif on 16x16 scans of print fragments.

Small CNN in the style of the PyTorch MNIST example, with on-the-fly augmentation (flips,
shifts, ink-density jitter), label smoothing, an exponential moving average of the weights
kept in a deep copy, and the EMA model saved whole for the cataloguing tool.
"""
import copy
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)
MOTIFS = ["wave", "cloud", "rings", "lattice", "pine", "plum"]
S = 16


def carve(kind):
    yy, xx = np.mgrid[0:S, 0:S].astype(float)
    cx, cy = rng.uniform(5, 11, 2)
    ph = rng.uniform(0, 2 * np.pi)
    if kind == 0:
        img = np.sin(xx * rng.uniform(0.7, 1.0) + 2.5 * np.sin(yy * 0.4 + ph)) > 0.3
    elif kind == 1:
        r = np.hypot(xx - cx, (yy - cy) * 1.8)
        img = (np.sin(r * 1.1 + ph) > 0.5) & (r < 9)
    elif kind == 2:
        r = np.hypot(xx - cx, yy - cy)
        img = np.sin(r * rng.uniform(1.3, 1.7) + ph) > 0.2
    elif kind == 3:
        p = rng.integers(3, 5)
        img = ((xx.astype(int) % p) == 0) | ((yy.astype(int) % p) == 0)
    elif kind == 4:
        img = np.sin((xx + yy) * 1.2 + ph) > 0.6
        img |= np.sin((xx - yy) * 1.2 + ph) > 0.9
    else:
        img = np.zeros((S, S), bool)
        for _ in range(rng.integers(4, 8)):
            px, py = rng.uniform(1, 15, 2)
            img |= np.hypot(xx - px, yy - py) < rng.uniform(1.2, 2.0)
    ink = img * rng.uniform(0.35, 0.8) + rng.normal(0, 0.3, (S, S))
    # fragments: part of the block is torn away or blotted
    ox, oy = rng.integers(0, S - 6, 2)
    ink[oy:oy + rng.integers(5, 10), ox:ox + rng.integers(5, 10)] = rng.uniform(0, 0.3)
    return np.clip(ink, 0, 1)


def build(n):
    y = rng.integers(0, len(MOTIFS), n)
    X = np.stack([carve(k) for k in y])[:, None].astype(np.float32)
    return torch.from_numpy((X - 0.5) / 0.5), torch.from_numpy(y)


def augment(x):
    flip = torch.rand(x.size(0)) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(-1), x)
    dx, dy = np.random.randint(-2, 3, 2)
    x = torch.roll(x, shifts=(int(dy), int(dx)), dims=(-2, -1))
    gain = 1 + 0.15 * torch.randn(x.size(0), 1, 1, 1)
    return x * gain


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 24, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(24)
        self.conv2 = nn.Conv2d(24, 48, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(48)
        self.fc1 = nn.Linear(48 * 4 * 4, 96)
        self.fc2 = nn.Linear(96, len(MOTIFS))
        self.dropout = nn.Dropout(0.25)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = self.dropout(torch.flatten(x, 1))
        return self.fc2(F.relu(self.fc1(x)))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


def train(model, ema, loader, optimizer, epoch, step):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        data = augment(data)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target, label_smoothing=0.1)
        loss.backward()
        optimizer.step()
        step += 1
        ema_update(ema, model, decay=min(0.995, (1 + step) / (10 + step)))
        if batch_idx % 40 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.4f}")
    return step


@torch.no_grad()
def test(model, loader, tag):
    model.eval()
    test_loss, correct = 0.0, 0
    for data, target in loader:
        output = model(data)
        test_loss += F.cross_entropy(output, target, reduction="sum").item()
        correct += (output.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    print(f"{tag}: Average loss: {test_loss / n:.4f}, Accuracy: {correct}/{n} ({100. * correct / n:.1f}%)")
    return correct / n


Xtr, ytr = build(2000)
Xte, yte = build(800)
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
test_loader = DataLoader(TensorDataset(Xte, yte), batch_size=200)

np.random.seed(3)
model = Net()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[4, 7], gamma=0.2)

step = 0
for epoch in range(1, 9):
    step = train(model, ema, train_loader, optimizer, epoch, step)
    test(model, test_loader, "live")
    acc = test(ema, test_loader, "ema ")
    scheduler.step()

path = os.path.join(tempfile.gettempdir(), "woodblock_ema.pt")
torch.save(ema, path)
restored = torch.load(path, weights_only=False)
print(f"FINAL EMA test accuracy {test(restored, test_loader, 'saved ema'):.3f} (chance {1 / len(MOTIFS):.3f})")
