"""Wafer-map defect pattern classification (none / center / edge-ring / scratch / donut / local).

Two input planes per map (wafer area, failing dies). Small residual CNN trained with SGD + Nesterov
momentum under a one-cycle schedule stepped every batch; dihedral augmentation (patterns have no
preferred orientation).
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

PATTERNS = ["none", "center", "edge_ring", "scratch", "donut", "local"]
SIZE = 24


def wafer_map(kind, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    c = (SIZE - 1) / 2
    r = np.hypot(yy - c, xx - c)
    wafer = (r <= 11.5).astype(np.float32)
    p = np.full((SIZE, SIZE), rng.uniform(0.01, 0.06))
    if kind == "center":
        p[r < rng.uniform(3, 6)] = rng.uniform(0.6, 0.9)
    elif kind == "edge_ring":
        p[r > rng.uniform(9, 10.5)] = rng.uniform(0.5, 0.9)
    elif kind == "scratch":
        ang = rng.uniform(0, np.pi)
        x0, y0 = rng.uniform(5, 18, size=2)
        length = rng.uniform(7, 14)
        for s in np.linspace(-length / 2, length / 2, 40):
            px, py = int(round(x0 + s * np.cos(ang))), int(round(y0 + s * np.sin(ang)))
            if 0 <= px < SIZE and 0 <= py < SIZE:
                p[py, px] = 0.95
    elif kind == "donut":
        r_in = rng.uniform(3.5, 5)
        p[(r > r_in) & (r < r_in + rng.uniform(2, 3.5))] = rng.uniform(0.5, 0.85)
    elif kind == "local":
        cy, cx = rng.uniform(5, 18, size=2)
        p[np.hypot(yy - cy, xx - cx) < rng.uniform(1.5, 3)] = rng.uniform(0.7, 0.95)
    fail = (rng.random((SIZE, SIZE)) < p).astype(np.float32) * wafer
    return np.stack([wafer, fail])


class WaferMaps(Dataset):
    def __init__(self, n_per_class, seed, augment):
        rng = np.random.default_rng(seed)
        self.x = torch.from_numpy(np.stack([wafer_map(k, rng) for k in PATTERNS for _ in range(n_per_class)]))
        self.y = torch.arange(len(PATTERNS)).repeat_interleave(n_per_class)
        self.augment = augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.x[i]
        if self.augment:
            x = torch.rot90(x, int(torch.randint(4, ())), dims=(1, 2))
            if torch.rand(()) < 0.5:
                x = x.flip(2)
        return x, self.y[i]


class ResBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = nn.Sequential()
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.short(x))


class WaferNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(2, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.layer1 = ResBlock(16, 32, 2)
        self.layer2 = ResBlock(32, 64, 2)
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def train(model, loader, optimizer, scheduler, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        scheduler.step()
    print(f"epoch {epoch}: last loss {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.4f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    return test_loss / n, correct / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-lr", type=float, default=0.1)
    args = parser.parse_args()

    torch.manual_seed(5)
    train_set = WaferMaps(250, seed=5, augment=True)
    val_set = WaferMaps(80, seed=6, augment=False)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=256)

    model = WaferNet(len(PATTERNS))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.max_lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.max_lr, epochs=args.epochs,
                                                    steps_per_epoch=len(train_loader), pct_start=0.3)
    for epoch in range(1, args.epochs + 1):
        train(model, train_loader, optimizer, scheduler, epoch)
        val_loss, val_acc = test(model, val_loader)
        print(f"          val loss {val_loss:.4f} acc {val_acc:.4f}")
    print(f"FINAL val_acc={val_acc:.4f} val_loss={val_loss:.4f} (chance {1 / len(PATTERNS):.4f})")


if __name__ == "__main__":
    main()
