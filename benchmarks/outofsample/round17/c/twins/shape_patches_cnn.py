"""Classify inspection-camera patches by blob shape (disk, square, triangle, ring).

Patches are rendered procedurally (random size, position, contrast, sensor noise and a
gradient background) and classified by a small CNN in the style of the PyTorch MNIST example.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

SIZE = 28
CLASSES = ["disk", "square", "triangle", "ring"]


def render(n, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    imgs = np.empty((n, SIZE, SIZE), np.float32)
    labels = rng.integers(0, len(CLASSES), n)
    for i, c in enumerate(labels):
        cx, cy = rng.uniform(9, 19, 2)
        r = rng.uniform(5, 9)
        if c == 0:
            m = (xx - cx) ** 2 + (yy - cy) ** 2 <= r ** 2
        elif c == 1:
            m = (np.abs(xx - cx) <= r * 0.85) & (np.abs(yy - cy) <= r * 0.85)
        elif c == 2:
            m = (yy - cy <= r * 0.8) & (yy - cy >= -r) & \
                (np.abs(xx - cx) <= (yy - cy + r) * 0.6)
        else:
            d2 = (xx - cx) ** 2 + (yy - cy) ** 2
            m = (d2 <= r ** 2) & (d2 >= (0.55 * r) ** 2)
        bg = rng.uniform(0.0, 0.3) + rng.uniform(-0.01, 0.01) * (xx + yy)
        imgs[i] = bg + m * rng.uniform(0.4, 0.8) + rng.normal(0, 0.08, (SIZE, SIZE))
    return imgs[:, None], labels


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1)
        self.conv2 = nn.Conv2d(16, 32, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(4608, 64)
        self.fc2 = nn.Linear(64, len(CLASSES))

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def train(args, model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]"
                  f"\tLoss: {loss.item():.6f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            correct += (output.argmax(dim=1) == target).sum().item()
    n = len(loader.dataset)
    print(f"Test set: Average loss: {test_loss / n:.4f}, Accuracy: {correct}/{n} "
          f"({100.0 * correct / n:.1f}%)")
    return correct / n


def main():
    parser = argparse.ArgumentParser(description="shape patch classifier")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x_tr, y_tr = render(3000, rng)
    x_te, y_te = render(1000, rng)
    mean, std = x_tr.mean(), x_tr.std()
    x_tr, x_te = (x_tr - mean) / std, (x_te - mean) / std

    train_loader = DataLoader(TensorDataset(torch.from_numpy(x_tr), torch.from_numpy(y_tr)),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(x_te), torch.from_numpy(y_te)),
                             batch_size=500)

    model = Net()
    optimizer = torch.optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        acc = test(model, test_loader)
        scheduler.step()
    print(f"final: test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
