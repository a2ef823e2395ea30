"""Classify 20x20 inspection patches by the defect shape they contain
(blob, scratch, ring, corner-crack, speckle cluster). Small CNN, SGD with momentum,
step decay of the learning rate every few epochs."""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

SIZE = 20
CLASSES = ["blob", "scratch", "ring", "corner_crack", "speckles"]


def render(label, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    cx, cy = rng.uniform(6, 14, 2)
    img = np.zeros((SIZE, SIZE), np.float32)
    if label == 0:
        r = rng.uniform(2.5, 5)
        img = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * (r / 1.5) ** 2))
    elif label == 1:
        th = rng.uniform(0, np.pi)
        d = np.abs((xx - cx) * np.sin(th) - (yy - cy) * np.cos(th))
        along = np.abs((xx - cx) * np.cos(th) + (yy - cy) * np.sin(th))
        img = (d < 0.9).astype(np.float32) * (along < rng.uniform(5, 9))
    elif label == 2:
        r = rng.uniform(3, 6)
        rr = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
        img = np.exp(-((rr - r) ** 2) / 0.8)
    elif label == 3:
        th = rng.uniform(0, 2 * np.pi)
        for a in (th, th + rng.uniform(1.0, 2.0)):
            d = np.abs((xx - cx) * np.sin(a) - (yy - cy) * np.cos(a))
            along = (xx - cx) * np.cos(a) + (yy - cy) * np.sin(a)
            img = np.maximum(img, ((d < 0.8) & (along > 0) & (along < 7)).astype(np.float32))
    else:
        k = rng.integers(5, 10)
        px, py = rng.normal(cx, 2.5, k), rng.normal(cy, 2.5, k)
        for x0, y0 in zip(px, py):
            img = np.maximum(img, np.exp(-((xx - x0) ** 2 + (yy - y0) ** 2) / 0.6))
    img = img * rng.uniform(0.6, 1.0) + rng.normal(0, 0.25, img.shape)
    return img


def make_split(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(CLASSES), n)
    X = np.stack([render(c, rng) for c in y])[:, None]
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 48, 3, padding=1)
        self.bn1, self.bn2, self.bn3 = nn.BatchNorm2d(16), nn.BatchNorm2d(32), nn.BatchNorm2d(48)
        self.fc1 = nn.Linear(48 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, len(CLASSES))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.bn3(self.conv3(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def train(args, model, loader, optimizer, scheduler, epoch):
    model.train()
    total = 0.0
    for data, target in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(target)
    return total / len(loader.dataset)


def test(model, loader):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            out = model(data)
            loss += F.cross_entropy(out, target, reduction="sum").item()
            correct += (out.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    return loss / n, correct / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--gamma", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    Xtr, ytr = make_split(2500, args.seed)
    Xte, yte = make_split(600, args.seed + 100)
    mean, std = Xtr.mean(), Xtr.std()
    Xtr, Xte = (Xtr - mean) / std, (Xte - mean) / std
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
    test_loader = DataLoader(TensorDataset(Xte, yte), batch_size=300)

    model = Net()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = StepLR(optimizer, step_size=4, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        tr = train(args, model, train_loader, optimizer, scheduler, epoch)
        scheduler.step()
        te_loss, te_acc = test(model, test_loader)
        print(f"epoch {epoch} lr {optimizer.param_groups[0]['lr']:.2e} train_loss {tr:.4f} "
              f"test_loss {te_loss:.4f} test_acc {te_acc:.4f}")
    print(f"final test_acc {te_acc:.4f}")


if __name__ == "__main__":
    main()
