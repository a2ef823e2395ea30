"""Road-surface condition from 32x32 grayscale patches of a vehicle-mounted camera.

Classes: intact asphalt, longitudinal/alligator cracking, pothole, patched repair.
Patches come out of the camera pipeline as uint8 (0-255) with varying exposure.
Structure follows the PyTorch MNIST example (train/test functions, NLL on log-softmax).
"""
import argparse
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["intact", "cracked", "pothole", "patched"]


def render_patches(n, size=32, seed=0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size]
    imgs = np.zeros((n, size, size), dtype=np.float32)
    labels = rng.integers(0, 4, size=n)
    for i in range(n):
        base = rng.uniform(90, 150)                       # exposure
        img = base + rng.normal(0, 14, (size, size))      # aggregate texture
        img += rng.normal(0, 6) * (xx / size - 0.5)       # illumination gradient
        c = labels[i]
        if c == 1:                                        # cracks: dark random walks
            for _ in range(rng.integers(1, 4)):
                r, col = rng.integers(0, size, 2)
                for _ in range(rng.integers(18, 40)):
                    img[r, col] -= rng.uniform(35, 60)
                    r = np.clip(r + rng.integers(-1, 2), 0, size - 1)
                    col = np.clip(col + rng.choice([-1, 0, 1, 1]), 0, size - 1)
        elif c == 2:                                      # pothole: dark bowl with bright rim
            cy, cx = rng.uniform(8, 24, 2)
            a, b = rng.uniform(4, 9, 2)
            d = ((yy - cy) / a) ** 2 + ((xx - cx) / b) ** 2
            img -= 55 * np.exp(-d * 1.5)
            img += 20 * ((d > 0.9) & (d < 1.4))
        elif c == 3:                                      # patched: smoother, darker rectangle
            r0, c0 = rng.integers(0, 14, 2)
            h, w = rng.integers(10, 18, 2)
            patch = img[r0:r0 + h, c0:c0 + w]
            img[r0:r0 + h, c0:c0 + w] = 0.35 * patch + 0.65 * (base - rng.uniform(20, 40))
        imgs[i] = img
    return np.clip(imgs, 0, 255).astype(np.uint8), labels.astype(np.int64)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1)
        self.conv2 = nn.Conv2d(16, 32, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(32 * 14 * 14, 96)
        self.fc2 = nn.Linear(96, 4)

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
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    acc = correct / len(test_loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(test_loader.dataset)} ({100. * acc:.1f}%)")
    return acc


def main():
    parser = argparse.ArgumentParser(description="road surface CNN")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--log-interval", type=int, default=20)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    imgs, labels = render_patches(3000, seed=args.seed)
    tr_imgs, te_imgs = imgs[:2400], imgs[2400:]
    tr_y, te_y = labels[:2400], labels[2400:]
    pix_mean = float((tr_imgs / 255.0).mean())
    pix_std = float((tr_imgs / 255.0).std())

    def to_tensor(a):
        x = torch.from_numpy(a).float().unsqueeze(1)
        return (x - pix_mean) / pix_std

    train_loader = DataLoader(TensorDataset(to_tensor(tr_imgs), torch.from_numpy(tr_y)),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(to_tensor(te_imgs), torch.from_numpy(te_y)),
                             batch_size=500)

    model = Net()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        test(model, test_loader)

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "road_surface_cnn.pt")
        torch.save(model, path)
        restored = torch.load(path, weights_only=False)
    acc = test(restored, test_loader)
    print(f"final test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
