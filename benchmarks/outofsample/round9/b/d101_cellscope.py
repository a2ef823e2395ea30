"""Phenotype classifier for 16-bit fluorescence crops (simulated camera frames).

Three phenotypes: compact nucleus, dividing (two nuclei), ring-stained membrane.
Frames come off the camera as uint16 with a dark offset and shot noise.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

SIZE = 24


def simulate_frames(n, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    frames = np.empty((n, SIZE, SIZE), dtype=np.uint16)
    labels = rng.integers(0, 3, size=n)
    for i, c in enumerate(labels):
        cy, cx = rng.uniform(8, 16, size=2)
        r = rng.uniform(2.5, 4.0)
        if c == 0:
            img = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r ** 2))
        elif c == 1:
            a = rng.uniform(0, np.pi)
            d = rng.uniform(2.5, 4.0)
            dy, dx = d * np.sin(a), d * np.cos(a)
            img = (np.exp(-((yy - cy - dy) ** 2 + (xx - cx - dx) ** 2) / (2 * (0.7 * r) ** 2))
                   + np.exp(-((yy - cy + dy) ** 2 + (xx - cx + dx) ** 2) / (2 * (0.7 * r) ** 2)))
        else:
            rr = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)
            img = np.exp(-((rr - 1.6 * r) ** 2) / (2 * 1.0 ** 2))
        brightness = rng.uniform(12000, 30000)
        signal = 1500 + brightness * img
        frame = rng.poisson(signal).astype(np.float64) + rng.normal(0, 300, size=signal.shape)
        frames[i] = np.clip(frame, 0, 65535).astype(np.uint16)
    return frames, labels


class FrameDataset(Dataset):
    def __init__(self, frames, labels, offset, scale, augment=False):
        self.frames = frames
        self.labels = labels
        self.offset = offset
        self.scale = scale
        self.augment = augment

    def __len__(self):
        return len(self.frames)

    def __getitem__(self, idx):
        x = torch.from_numpy((self.frames[idx].astype(np.float32) - self.offset) / self.scale).unsqueeze(0)
        if self.augment:
            if torch.rand(()) < 0.5:
                x = x.flip(-1)
            k = int(torch.randint(0, 4, ()))
            x = torch.rot90(x, k, dims=(-2, -1))
        return x, int(self.labels[idx])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 3 * 3, 64)
        self.fc2 = nn.Linear(64, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def train(model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % 20 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}] Loss: {loss.item():.4f}")


@torch.no_grad()
def test(model, loader):
    model.eval()
    correct, total = 0, 0
    for data, target in loader:
        correct += (model(data).argmax(1) == target).sum().item()
        total += len(target)
    return correct / total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--save", default="")
    args = parser.parse_args()

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    frames, labels = simulate_frames(2000, rng)
    offset, scale = 0.0, 255.0
    train_ds = FrameDataset(frames[:1600], labels[:1600], offset, scale, augment=True)
    val_ds = FrameDataset(frames[1600:], labels[1600:], offset, scale)
    train_loader = DataLoader(train_ds, batch_size=32, shuffle=True, num_workers=0)
    val_loader = DataLoader(val_ds, batch_size=128, num_workers=0)

    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    for epoch in range(1, args.epochs + 1):
        train(model, train_loader, optimizer, epoch)
        scheduler.step()
        print(f"epoch {epoch} val_acc {test(model, val_loader):.4f}")
    if args.save:
        torch.save(model, args.save)
    print(f"final val_acc {test(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
