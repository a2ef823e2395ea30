"""Quilt-block classifier for a textile archive.

Photographed 18x18 thumbnails of patchwork blocks: nine-patch, pinwheel, log
cabin, four-patch and hourglass. Fabrics have random colours and print noise.
Blocks have no fixed orientation, so training uses random 90-degree rotations
and flips. An exponential moving average of the weights (a deepcopy updated
after every step) is what we evaluate and ship: the whole EMA module is saved
with torch.save and reloaded for the final score.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(21)
rng = np.random.default_rng(21)
S = 18
CLASSES = ["nine_patch", "pinwheel", "log_cabin", "four_patch", "hourglass"]


def block(cls):
    a, b = rng.uniform(0, 1, 3), rng.uniform(0, 1, 3)
    while np.abs(a - b).sum() < 0.25:
        b = rng.uniform(0, 1, 3)
    yy, xx = np.mgrid[0:S, 0:S] / (S - 1)
    if cls == 0:
        m = ((np.floor(yy * 2.999) + np.floor(xx * 2.999)) % 2) == 0
    elif cls == 1:
        q = (yy < 0.5) * 2 + (xx < 0.5)
        u, v = (xx * 2) % 1, (yy * 2) % 1
        m = np.where(q % 3 == 0, u > v, u < v)
    elif cls == 2:
        ring = np.maximum(np.abs(xx - 0.5), np.abs(yy - 0.5))
        m = (np.floor(ring * 8) % 2 == 0) & ((xx > 0.5) | (ring < 0.12))
    elif cls == 3:
        m = (xx < 0.5) ^ (yy < 0.5)
    else:
        m = (np.abs(xx - 0.5) > np.abs(yy - 0.5))
    img = np.where(m[None], a[:, None, None], b[:, None, None])
    img = img + rng.normal(0, 0.25, img.shape)                      # print and photo noise
    return img.astype(np.float32)


N = 1800
labels = rng.integers(0, 5, N)
images = np.stack([block(c) for c in labels])
mean = images[:1500].mean((0, 2, 3), keepdims=True)
std = images[:1500].std((0, 2, 3), keepdims=True)
images = (images - mean) / std


class Blocks(Dataset):
    def __init__(self, x, y, augment):
        self.x, self.y, self.augment = torch.from_numpy(x), torch.from_numpy(y), augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        img = self.x[i]
        if self.augment:
            img = torch.rot90(img, int(torch.randint(4, ())), dims=(1, 2))
            if torch.rand(()) < 0.5:
                img = img.flip(2)
        return img, self.y[i]


train_loader = DataLoader(Blocks(images[:1500], labels[:1500], True), batch_size=50, shuffle=True)
val_loader = DataLoader(Blocks(images[1500:], labels[1500:], False), batch_size=300)

model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
    nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(3),
    nn.Flatten(), nn.Linear(32 * 9, 64), nn.ReLU(), nn.Linear(64, 5),
)
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
DECAY = 0.98

optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True)
EPOCHS = 8
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS * len(train_loader))


@torch.no_grad()
def update_ema():
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(DECAY).add_(pm, alpha=1 - DECAY)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def accuracy(net):
    net.eval()
    hits = sum((net(x).argmax(1) == y).sum().item() for x, y in val_loader)
    return hits / len(val_loader.dataset)


for epoch in range(EPOCHS):
    model.train()
    for x, y in train_loader:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        update_ema()
    if epoch % 2 == 1:
        print(f"epoch {epoch + 1:2d} loss {loss.item():.3f} val acc raw {accuracy(model):.3f} ema {accuracy(ema):.3f}")

path = os.path.join(tempfile.mkdtemp(), "quilt_ema.pt")
torch.save(ema, path)
shipped = torch.load(path, weights_only=False)
print(f"final val accuracy (EMA, reloaded) {accuracy(shipped):.3f}")
