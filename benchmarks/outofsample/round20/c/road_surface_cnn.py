"""Road-surface condition from dash-cam crops.

32x32 grey crops of five surface types (smooth asphalt, worn/ravelled asphalt, longitudinal
cracking, potholed, wet with glare) are rendered procedurally with varied lighting, blur and
sensor noise. A compact CNN with BatchNorm and dropout; random flips as augmentation.
Loop in the style of the PyTorch MNIST example.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["asphalt", "ravelled", "cracked", "pothole", "wet"]
S = 32


def render(kind, rng):
    yy, xx = np.mgrid[0:S, 0:S] / S
    base = 0.45 + rng.normal(0, 0.08) + rng.normal(0, 0.05, (S, S))
    img = base + 0.1 * (xx * rng.normal() + yy * rng.normal())
    if kind == 1:      # ravelled: scattered dark pits of aggregate
        for _ in range(rng.integers(15, 35)):
            cx, cy = rng.uniform(0, 1, 2)
            img -= 0.25 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / rng.uniform(0.0004, 0.0015))
    elif kind == 2:    # cracked: a few thin, wandering dark lines
        for _ in range(rng.integers(1, 4)):
            x0, slope, wig = rng.uniform(0.1, 0.9), rng.normal(0, 0.4), rng.uniform(0.01, 0.05)
            line = x0 + slope * (yy - 0.5) + wig * np.sin(yy * rng.uniform(8, 20))
            img -= 0.35 * np.exp(-((xx - line) ** 2) / rng.uniform(0.0002, 0.0006))
    elif kind == 3:    # pothole: one large dark blob with a bright rim
        cx, cy, r = rng.uniform(0.25, 0.75), rng.uniform(0.25, 0.75), rng.uniform(0.12, 0.25)
        d = np.sqrt((xx - cx) ** 2 + ((yy - cy) * rng.uniform(0.7, 1.3)) ** 2)
        img -= 0.3 * (d < r) - 0.12 * np.exp(-((d - r) ** 2) / 0.0008)
    elif kind == 4:    # wet: darker surface, specular streak
        img -= 0.12
        ang = rng.uniform(0, np.pi)
        u = np.cos(ang) * (xx - 0.5) + np.sin(ang) * (yy - 0.5)
        img += 0.3 * np.exp(-(u ** 2) / rng.uniform(0.003, 0.02))
    img = img * rng.uniform(0.6, 1.4) + rng.normal(0, 0.06, (S, S))
    return np.clip(img, 0, 1).astype(np.float32)


def make_set(n, rng):
    y = rng.integers(0, 5, n)
    x = np.stack([render(k, rng) for k in y])[:, None]
    return torch.from_numpy(x), torch.from_numpy(y)


class SurfaceNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 48, 3, padding=1)
        self.bn3 = nn.BatchNorm2d(48)
        self.dropout = nn.Dropout(0.4)
        self.fc1 = nn.Linear(48 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.max_pool2d(F.relu(self.bn3(self.conv3(x))), 2)
        x = self.dropout(torch.flatten(x, 1))
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


def train(args, model, train_loader, optimizer, epoch):
    for batch_idx, (data, target) in enumerate(train_loader):
        if torch.rand(()) < 0.5:
            data = data.flip(3)
        if torch.rand(()) < 0.5:
            data = data.flip(2)
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, test_loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += output.argmax(1).eq(target).sum().item()
    n = len(test_loader.dataset)
    print(f"Test set: Average loss: {test_loss / n:.4f}, Accuracy: {correct}/{n} ({100. * correct / n:.1f}%)")
    return correct / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    x_train, y_train = make_set(1000, rng)
    x_test, y_test = make_set(800, rng)
    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True)
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=200)

    model = SurfaceNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        acc = test(model, test_loader)
        scheduler.step()
    print(f"final test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
