"""Carpet weaving mill: classify 20x20 knot-grid crops from the loom camera into motif families
(diamond lattice, stripe, medallion, guard border, herati). Small CNN, flip/shift augmentation,
label smoothing, one-cycle LR stepped per batch."""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=6)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--lr", type=float, default=4e-3)
parser.add_argument("--seed", type=int, default=4)
args = parser.parse_args()
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)
S = 20
yy, xx = np.mgrid[0:S, 0:S]


def motif(c):
    ph = rng.uniform(0, 2 * np.pi)
    p = rng.uniform(4.5, 7.5)
    if c == 0:   # diamond lattice
        img = np.cos(2 * np.pi * (xx + yy) / p + ph) * np.cos(2 * np.pi * (xx - yy) / p + ph)
    elif c == 1:  # stripes
        img = np.sign(np.sin(2 * np.pi * (xx if rng.random() < 0.5 else yy) / p + ph))
    elif c == 2:  # medallion
        cy, cx = rng.uniform(6, 14, 2)
        r = np.hypot(yy - cy, xx - cx)
        img = np.cos(r / 1.3 + ph) * np.exp(-r / 9)
    elif c == 3:  # guard border: band of small repeats along one edge
        img = np.zeros((S, S))
        band = slice(0, 6) if rng.random() < 0.5 else slice(14, 20)
        img[band] = np.sign(np.sin(2 * np.pi * xx[band] / 3.0 + ph))
    else:        # herati: rotated small lozenges
        u = (xx * 0.8 + yy * 0.6) / p
        v = (-xx * 0.6 + yy * 0.8) / p
        img = np.cos(2 * np.pi * u + ph) + 0.8 * np.cos(4 * np.pi * v)
    img = img * rng.uniform(0.6, 1.4) + rng.normal(0, 1.3, (S, S))
    return img.astype(np.float32)


class LoomCrops(Dataset):
    def __init__(self, n, augment):
        self.y = rng.integers(0, 5, n)
        self.x = np.stack([motif(c) for c in self.y])
        self.augment = augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = torch.from_numpy(self.x[i])
        if self.augment:
            if torch.rand(1) < 0.5:
                x = x.flip(1)
            shift = torch.randint(-2, 3, (2,))
            x = torch.roll(x, shifts=(int(shift[0]), int(shift[1])), dims=(0, 1))
        return x.unsqueeze(0), int(self.y[i])


train_ds, val_ds = LoomCrops(2000, augment=True), LoomCrops(500, augment=False)
train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=250)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 24, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(24)
        self.conv2 = nn.Conv2d(24, 48, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(48)
        self.fc1 = nn.Linear(48 * 5 * 5, 96)
        self.fc2 = nn.Linear(96, 5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.dropout(F.relu(self.fc1(torch.flatten(x, 1))), 0.25, self.training)
        return self.fc2(x)


def train(model, loader, optimizer, scheduler, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target, label_smoothing=0.1)
        loss.backward()
        optimizer.step()
        scheduler.step()
    print(f"Train Epoch: {epoch} \tLoss: {loss.item():.6f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
    test_loss /= len(loader.dataset)
    acc = correct / len(loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(loader.dataset)} ({100 * acc:.1f}%)")
    return acc


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr * 10, epochs=args.epochs,
                                                steps_per_epoch=len(train_loader))
for epoch in range(1, args.epochs + 1):
    train(model, train_loader, optimizer, scheduler, epoch)
    acc = test(model, val_loader)
print(f"final val accuracy {acc:.4f}")
