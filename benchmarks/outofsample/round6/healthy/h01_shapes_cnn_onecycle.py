"""Classify procedurally drawn 16x16 shapes (disc / square / plus / triangle) with a small
ConvNet, in the style of the PyTorch MNIST example: SGD + Nesterov under a OneCycleLR schedule
stepped once per batch, label smoothing in the training loss, sum-reduced test loss."""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def draw_shapes(n, rng, size=16):
    X = np.zeros((n, 1, size, size), np.float32)
    y = rng.integers(0, 4, n)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    for i in range(n):
        cx, cy = rng.uniform(5, size - 5, 2)
        r = rng.uniform(2.5, 4.5)
        dx, dy = xx - cx, yy - cy
        if y[i] == 0:
            m = dx ** 2 + dy ** 2 <= r * r
        elif y[i] == 1:
            m = (np.abs(dx) <= r * 0.85) & (np.abs(dy) <= r * 0.85)
        elif y[i] == 2:
            w = max(1.0, r * 0.35)
            m = ((np.abs(dx) <= w) & (np.abs(dy) <= r)) | ((np.abs(dy) <= w) & (np.abs(dx) <= r))
        else:
            m = (dy <= r) & (dy >= -r) & (np.abs(dx) <= (dy + r) / 2)
        X[i, 0] = m * rng.uniform(0.6, 1.0) + rng.normal(0, 0.15, (size, size))
    return X, y.astype(np.int64)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, 1, padding=1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(32 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 4)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = self.dropout1(torch.flatten(x, 1))
        x = self.dropout2(F.relu(self.fc1(x)))
        return self.fc2(x)


def train(args, model, device, train_loader, optimizer, scheduler, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target, label_smoothing=args.label_smoothing)
        loss.backward()
        optimizer.step()
        scheduler.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]"
                  f"\tLoss: {loss.item():.6f}\tLR: {scheduler.get_last_lr()[0]:.4f}")


def test(model, device, test_loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(dim=1) == target).sum().item()
    test_loss /= len(test_loader.dataset)
    acc = correct / len(test_loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(test_loader.dataset)} ({100. * acc:.1f}%)")
    return test_loss, acc


def main():
    parser = argparse.ArgumentParser(description="shapes ConvNet")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--max-lr", type=float, default=0.1)
    parser.add_argument("--label-smoothing", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    device = torch.device("cpu")

    Xtr, ytr = draw_shapes(3000, rng)
    Xte, yte = draw_shapes(1000, rng)
    mean, std = Xtr.mean(), Xtr.std()
    Xtr, Xte = (Xtr - mean) / std, (Xte - mean) / std

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(Xte), torch.from_numpy(yte)), batch_size=500)

    model = Net().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.max_lr / 25, momentum=0.9,
                                nesterov=True, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.max_lr, epochs=args.epochs,
                                                    steps_per_epoch=len(train_loader))
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, scheduler, epoch)
        test_loss, acc = test(model, device, test_loader)
    print(f"final test_loss {test_loss:.4f} test_acc {acc:.4f}")


if __name__ == "__main__":
    main()
