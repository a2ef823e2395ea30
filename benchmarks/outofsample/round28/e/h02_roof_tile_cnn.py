"""Roof-tile inspection camera: classify 24x24 grey patches as intact / hairline crack /
chipped edge / lichen growth. Small CNN with BatchNorm, flip+rotate augmentation, label
smoothing, SGD + Nesterov with cosine decay. Validation loss is summed and divided by N.
"""
import math
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(11)
rng = np.random.default_rng(11)
S = 24
CLASSES = ["intact", "crack", "chip", "lichen"]


def make_tile(label):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    clay = 0.55 + 0.08 * np.sin(xx / rng.uniform(2, 5) + rng.uniform(0, 6))  # grain of the clay
    img = clay + rng.normal(0, 0.08, (S, S))
    if label == 1:   # crack: thin dark line at random angle
        th = rng.uniform(0, math.pi)
        c = rng.uniform(8, 16, 2)
        d = np.abs((xx - c[0]) * math.sin(th) - (yy - c[1]) * math.cos(th))
        img -= 0.30 * np.exp(-(d ** 2) / 0.6)
    elif label == 2:  # chip: a missing corner region, brighter (exposed body)
        corner = rng.integers(4)
        r = rng.uniform(5, 9)
        cx, cy = [(0, 0), (S - 1, 0), (0, S - 1), (S - 1, S - 1)][corner]
        img[(xx - cx) ** 2 + (yy - cy) ** 2 < r ** 2] += 0.22
    elif label == 3:  # lichen: several soft greenish-dark blobs
        for _ in range(rng.integers(3, 7)):
            bx, by = rng.uniform(0, S, 2)
            img -= 0.15 * np.exp(-((xx - bx) ** 2 + (yy - by) ** 2) / rng.uniform(2, 6))
    img *= rng.uniform(0.8, 1.2)                  # exposure
    return img.astype(np.float32)


def build(n):
    labels = rng.integers(0, 4, n)
    imgs = np.stack([make_tile(l) for l in labels])[:, None]
    return imgs, labels


Xtr, ytr = build(1600)
Xva, yva = build(600)
mean, std = Xtr.mean(), Xtr.std()


class Tiles(Dataset):
    def __init__(self, X, y, augment):
        self.X = torch.from_numpy((X - mean) / std)
        self.y = torch.from_numpy(y).long()
        self.augment = augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.augment:
            if torch.rand(()) < 0.5:
                x = x.flip(-1)
            x = torch.rot90(x, int(torch.randint(0, 4, ())), dims=(-2, -1))
        return x, self.y[i]


train_loader = DataLoader(Tiles(Xtr, ytr, True), batch_size=32, shuffle=True)
val_loader = DataLoader(Tiles(Xva, yva, False), batch_size=200)


class TileNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 48, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(48)
        self.fc = nn.Linear(48, 4)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.bn3(self.conv3(x)))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


model = TileNet()
epochs = 10
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)


def evaluate():
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for x, y in val_loader:
            out = model(x)
            total += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
    n = len(val_loader.dataset)
    return total / n, correct / n


for epoch in range(1, epochs + 1):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    scheduler.step()
    vloss, vacc = evaluate()
    print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.4f} val loss {vloss:.4f} acc {vacc:.3f}")

print(f"final val accuracy {vacc:.3f}")
