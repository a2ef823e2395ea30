"""Defect type on 24x24 grayscale crops from PCB inspection (clean pad, solder bridge, missing
pad, scratch, contamination).  Small CNN, random flips/shifts/brightness jitter on the training
crops only, label smoothing 0.1, bf16 autocast for the forward pass, SGD+Nesterov with a
MultiStepLR decay."""
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

SIZE, CLASSES = 24, 5


def render(kind, rng):
    img = np.full((SIZE, SIZE), 0.2, dtype=np.float32) + rng.normal(0, 0.25, (SIZE, SIZE))
    yy, xx = np.mgrid[:SIZE, :SIZE]
    cx, cy = rng.uniform(8, 16, 2)
    pad = (np.abs(xx - cx) < 4) & (np.abs(yy - cy) < 4)
    if kind != 2:                                   # every kind but "missing pad" has the pad
        img[pad] = 0.85
    if kind == 1:                                   # bridge: bright strip leaving the pad
        y0 = int(cy) + rng.integers(-1, 2)
        img[y0 - 1:y0 + 1, int(cx):] = 0.8
    elif kind == 3:                                 # scratch: thin dark diagonal line
        a = rng.uniform(-1, 1)
        line = np.abs((yy - cy) - a * (xx - cx)) < 0.7
        img[line] = 0.05
    elif kind == 4:                                 # contamination: a few blotches
        for _ in range(rng.integers(3, 6)):
            bx, by = rng.uniform(0, SIZE, 2)
            img[(xx - bx) ** 2 + (yy - by) ** 2 < rng.uniform(1, 4)] = 0.55
    return np.clip(img, 0, 1).astype(np.float32)


class Crops(Dataset):
    def __init__(self, n, seed, augment):
        rng = np.random.default_rng(seed)
        self.y = rng.integers(0, CLASSES, n)
        self.x = torch.from_numpy(np.stack([render(k, rng) for k in self.y]))[:, None]
        self.x = (self.x - 0.3) / 0.25
        self.augment = augment
        self.g = torch.Generator().manual_seed(seed)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.x[i]
        if self.augment:
            if torch.rand(1, generator=self.g) < 0.5:
                x = x.flip(-1)
            if torch.rand(1, generator=self.g) < 0.5:
                x = x.flip(-2)
            dx, dy = torch.randint(-2, 3, (2,), generator=self.g).tolist()
            x = torch.roll(x, shifts=(dy, dx), dims=(-2, -1))
            x = x + 0.2 * (torch.rand(1, generator=self.g) - 0.5)
        return x, int(self.y[i])


class DefectNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn3 = nn.BatchNorm2d(64)
        self.fc = nn.Linear(64, CLASSES)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.bn3(self.conv3(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def train(model, loader, optimizer, criterion):
    model.train()
    total = 0.0
    for data, target in loader:
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            output = model(data)
        loss = criterion(output.float(), target)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(target)
    return total / len(loader.dataset)


@torch.no_grad()
def test(model, loader):
    model.eval()
    correct = 0
    for data, target in loader:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            correct += (model(data).argmax(1) == target).sum().item()
    return correct / len(loader.dataset)


def main():
    torch.manual_seed(9)
    train_loader = DataLoader(Crops(2500, seed=9, augment=True), batch_size=64, shuffle=True)
    test_loader = DataLoader(Crops(600, seed=10, augment=False), batch_size=300)
    model = DefectNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, nesterov=True,
                                weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[5, 7], gamma=0.2)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    for epoch in range(1, 9):
        t0 = time.time()
        loss = train(model, train_loader, optimizer, criterion)
        acc = test(model, test_loader)
        scheduler.step()
        print(f"Epoch {epoch}: train loss {loss:.4f}, test accuracy {acc:.4f} ({time.time() - t0:.1f}s)")
    print(f"final test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
