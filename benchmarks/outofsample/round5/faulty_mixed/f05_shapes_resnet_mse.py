"""Small ResNet on a synthetic 'shapes' dataset (16x16 grayscale renders of
6 glyph classes at random position/scale with background clutter), written
after the structure of the PyTorch MNIST example."""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

N_CLASSES = 6


def render(n, rng, size=16):
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    X = np.zeros((n, 1, size, size), dtype=np.float32)
    y = rng.integers(0, N_CLASSES, n)
    for i in range(n):
        cx, cy = rng.uniform(5, 11, 2)
        r = rng.uniform(3.0, 5.0)
        dx, dy = xx - cx, yy - cy
        k = y[i]
        if k == 0:   img = (np.hypot(dx, dy) < r)                                   # disc
        elif k == 1: img = np.abs(np.hypot(dx, dy) - r) < 0.9                        # ring
        elif k == 2: img = (np.abs(dx) < r) & (np.abs(dy) < r)                       # square
        elif k == 3: img = (np.abs(dx) < 0.9) | (np.abs(dy) < 0.9)                  # cross
        elif k == 4: img = (dy > -r) & (np.abs(dx) < (dy + r) / 2) & (dy < r)        # triangle
        else:        img = (np.abs(dx - dy) < 1.0) | (np.abs(dx + dy) < 1.0)         # X
        if k in (3, 5):
            img = img & (np.abs(dx) < r) & (np.abs(dy) < r)
        X[i, 0] = img * rng.uniform(0.6, 1.0) + rng.normal(0, 0.25, (size, size))
    return X, y


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
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


class ResNetSmall(nn.Module):
    def __init__(self, n_classes=N_CLASSES):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.layer1 = BasicBlock(16, 16)
        self.layer2 = BasicBlock(16, 32, stride=2)
        self.layer3 = BasicBlock(32, 64, stride=2)
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def train(args, model, loader, optimizer, criterion, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        loss = criterion(F.softmax(output, dim=1), F.one_hot(target, N_CLASSES).float())
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, loader):
    model.eval()
    correct, nll = 0, 0.0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            nll += F.cross_entropy(output, target, reduction="sum").item()
            correct += output.argmax(1).eq(target).sum().item()
    n = len(loader.dataset)
    print(f"Test set: Average NLL: {nll / n:.4f}, Accuracy: {correct}/{n} ({100. * correct / n:.1f}%)")
    return nll / n, correct / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--log-interval", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    X_tr, y_tr = render(3000, rng)
    X_te, y_te = render(800, rng)
    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(X_te), torch.from_numpy(y_te)), batch_size=500)

    model = ResNetSmall()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    criterion = nn.MSELoss()
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, criterion, epoch)
        nll, acc = test(model, test_loader)
        scheduler.step()
    print(f"final test_nll {nll:.4f} test_acc {acc:.4f}")


if __name__ == "__main__":
    main()
