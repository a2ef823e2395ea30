"""Glaze defect classifier for test tiles from the glost-firing line.

Each sample is a 28x28 greyscale crop of a glazed test tile as exported by the
inspection camera (8-bit). Six classes: sound, crazing, pinholing, crawling,
blistering, shivering.  Train a small CNN in the style of the PyTorch MNIST example.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["sound", "crazing", "pinholing", "crawling", "blistering", "shivering"]
S = 28


def render_tile(cls, rng):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    base = rng.uniform(105, 150)
    img = base + rng.normal(0, 6, (S, S))
    # glaze thickness gradient from dipping
    img += rng.uniform(-12, 12) * (yy / S - 0.5)
    if cls == 1:  # crazing: network of thin dark cracks
        for _ in range(rng.integers(4, 8)):
            a, c = rng.uniform(-2, 2), rng.uniform(0, S)
            d = np.abs(yy - (a * (xx - S / 2) + c)) / np.sqrt(1 + a * a)
            img -= 45 * np.exp(-d ** 2 / 0.5)
    elif cls == 2:  # pinholing: small dark pits
        for _ in range(rng.integers(6, 14)):
            cy, cx = rng.uniform(2, S - 2, 2)
            img -= 70 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 1.2)
    elif cls == 3:  # crawling: bright bare-body islands with sharp edge
        for _ in range(rng.integers(1, 3)):
            cy, cx = rng.uniform(6, S - 6, 2)
            r = rng.uniform(3, 6)
            img[((yy - cy) ** 2 + (xx - cx) ** 2) < r * r] = rng.uniform(200, 235)
    elif cls == 4:  # blistering: rings with dark centre
        for _ in range(rng.integers(2, 5)):
            cy, cx = rng.uniform(4, S - 4, 2)
            rr = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)
            r0 = rng.uniform(1.5, 3.0)
            img += 60 * np.exp(-(rr - r0) ** 2 / 0.6) - 40 * np.exp(-rr ** 2 / 1.0)
    elif cls == 5:  # shivering: glaze flakes off along one edge
        side = rng.integers(4)
        w = rng.integers(3, 7)
        edge = [yy < w, yy >= S - w, xx < w, xx >= S - w][side]
        wav = (np.sin(xx * rng.uniform(0.5, 1.2)) + np.sin(yy * rng.uniform(0.5, 1.2))) * 1.5
        img[edge & (wav > -1)] = rng.uniform(215, 245)
    return np.clip(img, 0, 255).astype(np.uint8)


def make_split(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(CLASSES), n)
    x = np.stack([render_tile(c, rng) for c in y])
    return x, y


def to_tensor(imgs):
    return torch.from_numpy(imgs).float().unsqueeze(1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1)
        self.conv2 = nn.Conv2d(16, 32, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(32 * 12 * 12, 64)
        self.fc2 = nn.Linear(64, len(CLASSES))

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def train(args, model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            correct += (output.argmax(dim=1) == target).sum().item()
    n = len(loader.dataset)
    test_loss /= n
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{n} ({100.0 * correct / n:.1f}%)")
    return correct / n


def main():
    parser = argparse.ArgumentParser(description="glaze tile defects")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--gamma", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    xtr, ytr = make_split(2000, seed=11)
    xte, yte = make_split(600, seed=12)
    train_ds = TensorDataset(to_tensor(xtr), torch.from_numpy(ytr).long())
    test_ds = TensorDataset(to_tensor(xte), torch.from_numpy(yte).long())
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_ds, batch_size=256)

    model = Net()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    acc = 0.0
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        acc = test(model, test_loader)
        scheduler.step()
    print(f"final test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
