"""Reading utility-meter digits (seven-segment LCD crops) with a small CNN.

Crops are 8-bit greyscale as the camera delivers them (0-255): dark segments on a
bright, unevenly lit panel with sensor noise and a slight tilt. Training loop in
the style of the PyTorch MNIST example (SGD with momentum, StepLR, summed test loss).
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, Dataset

H, W = 28, 20
# segments a..g as (x0, y0, x1, y1) in a 0..1 box
SEGMENTS = {
    "a": (0.2, 0.1, 0.8, 0.1), "b": (0.8, 0.1, 0.8, 0.5), "c": (0.8, 0.5, 0.8, 0.9),
    "d": (0.2, 0.9, 0.8, 0.9), "e": (0.2, 0.5, 0.2, 0.9), "f": (0.2, 0.1, 0.2, 0.5),
    "g": (0.2, 0.5, 0.8, 0.5),
}
DIGITS = ["abcdef", "bc", "abged", "abgcd", "fgbc", "afgcd", "afgedc", "abc", "abcdefg", "abcdfg"]


def render_crop(digit, rng):
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    tilt = rng.uniform(-0.15, 0.15)
    sx, sy = rng.uniform(0.7, 0.9) * W, rng.uniform(0.75, 0.9) * H
    ox, oy = (W - sx) / 2 + rng.uniform(-1.5, 1.5), (H - sy) / 2 + rng.uniform(-1.5, 1.5)
    dark = np.zeros((H, W), dtype=np.float32)
    for seg in DIGITS[digit]:
        x0, y0, x1, y1 = SEGMENTS[seg]
        ax, ay = ox + sx * (x0 + tilt * (1 - y0)), oy + sy * y0
        bx, by = ox + sx * (x1 + tilt * (1 - y1)), oy + sy * y1
        dx, dy = bx - ax, by - ay
        t = np.clip(((xx - ax) * dx + (yy - ay) * dy) / (dx * dx + dy * dy), 0, 1)
        d = np.hypot(xx - ax - t * dx, yy - ay - t * dy)
        dark = np.maximum(dark, np.clip(1.8 - d, 0, 1))
    ghost = 0.12 * rng.random()                                  # unlit segments show faintly
    panel = 200 + 40 * rng.random() + 25 * (xx / W - 0.5) * rng.normal()  # uneven backlight
    img = panel * (1 - 0.8 * dark) - ghost * 30 + rng.normal(0, 12, size=(H, W))
    return np.clip(img, 0, 255).astype(np.uint8)


class MeterDigits(Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.labels = rng.integers(0, 10, size=n)
        self.images = np.stack([render_crop(d, rng) for d in self.labels])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        x = torch.from_numpy(self.images[i]).float().unsqueeze(0)   # 1 x H x W, 0..255
        return x, int(self.labels[i])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(64 * 12 * 8, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def train(args, model, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]"
                  f"\tLoss: {loss.item():.6f}")


def test(model, test_loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            correct += output.argmax(dim=1).eq(target).sum().item()
    test_loss /= len(test_loader.dataset)
    acc = correct / len(test_loader.dataset)
    print(f"\nTest set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(test_loader.dataset)}"
          f" ({100. * acc:.1f}%)\n")
    return acc


def main():
    parser = argparse.ArgumentParser(description="meter digit reader")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.5)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    train_loader = DataLoader(MeterDigits(2400, seed=args.seed), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(MeterDigits(600, seed=args.seed + 100), batch_size=500)

    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        acc = test(model, test_loader)
        scheduler.step()
    print(f"final test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
