"""Solder-joint QC from 16x16 radiometric thermal frames (IR camera after reflow).

Classes: 0 good joint, 1 bridged (hot spot between pads), 2 cold joint (pad runs cooler).
Frames are the IR camera's 14-bit radiometric counts.
"""
import argparse
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from torch.optim.lr_scheduler import StepLR


def synth_frames(n, rng):
    yy, xx = np.mgrid[0:16, 0:16].astype(np.float32)
    frames = np.empty((n, 1, 16, 16), np.float32)
    labels = rng.integers(0, 3, n)
    for i in range(n):
        ambient = 7400 + rng.normal(0, 80)                        # board temperature drift
        tilt = rng.normal(0, 4, 2)
        img = ambient + tilt[0] * (xx - 7.5) + tilt[1] * (yy - 7.5)
        # two pads, always present
        for cx in (4.5, 10.5):
            img += 90 * np.exp(-((xx - cx) ** 2 + (yy - 7.5) ** 2) / 6.0)
        if labels[i] == 1:      # solder bridge: narrow hot ridge between the pads
            cy = 7.5 + rng.normal(0, 1.5)
            img += 80 * np.exp(-((yy - cy) ** 2) / 1.2) * ((xx > 5) & (xx < 10))
        elif labels[i] == 2:    # cold joint: one pad cooler than its twin
            cx = (4.5, 10.5)[rng.integers(0, 2)]
            img -= 70 * np.exp(-((xx - cx) ** 2 + (yy - 7.5) ** 2) / 5.0)
        img += rng.normal(0, 18, img.shape)
        frames[i, 0] = np.round(img)
    return frames, labels


class JointNet(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


def train(model, loader, optimizer, epoch):
    model.train()
    total = 0.0
    for data, target in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(target)
    return total / len(loader.dataset)


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    loss, correct = 0.0, 0
    for data, target in loader:
        out = model(data)
        loss += F.cross_entropy(out, target, reduction="sum").item()
        correct += (out.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    return loss / n, correct / n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args()

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    frames, labels = synth_frames(3000, rng)
    X = torch.from_numpy(frames)
    y = torch.from_numpy(labels).long()
    X_tr, y_tr, X_va, y_va = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = X_tr.mean(), X_tr.std()
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(X_va, y_va), batch_size=256)

    model = JointNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=4, gamma=0.5)
    for epoch in range(1, args.epochs + 1):
        tr_loss = train(model, train_loader, optimizer, epoch)
        va_loss, va_acc = evaluate(model, val_loader)
        scheduler.step()
        print(f"epoch {epoch}: train loss {tr_loss:.4f}  val loss {va_loss:.4f}  val acc {va_acc:.3f}")
    print(f"final val_accuracy={va_acc:.4f}")


if __name__ == "__main__":
    main()
