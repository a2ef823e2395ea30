"""Ropeway haul-rope inspection: classify magnetic-flux-leakage (MFL) windows.

Each window is 128 samples from 3 Hall sensors around the rope. Classes:
0 intact, 1 broken outer wire, 2 corrosion patch, 3 strand gap, 4 splice.
"""
import argparse
import copy
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def synth_windows(n, rng):
    t = np.linspace(0, 1, 128)
    X = np.zeros((n, 3, 128), dtype=np.float32)
    y = rng.integers(0, 5, size=n)
    for i in range(n):
        lay = 0.4 * np.sin(2 * np.pi * rng.uniform(7, 9) * t + rng.uniform(0, 6.28))
        base = np.stack([lay, np.roll(lay, 10), np.roll(lay, 20)])
        c = rng.uniform(0.2, 0.8)
        w = rng.uniform(0.01, 0.03)
        k = y[i]
        if k == 1:
            sig = np.exp(-((t - c) / w) ** 2) * np.sign(t - c) * 1.0
            base[rng.integers(0, 3)] += sig
        elif k == 2:
            sig = -0.5 * np.exp(-((t - c) / (4 * w)) ** 2)
            base += sig
        elif k == 3:
            sig = 0.6 * (np.abs(t - c) < 2 * w)
            base[:2] += sig
        elif k == 4:
            sig = 0.35 * np.exp(-((t - c) / (8 * w)) ** 2) * np.sin(2 * np.pi * 30 * t)
            base += sig
        X[i] = base + rng.normal(0, 0.35, size=(3, 128))
    return X, y


class MFLNet(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        self.conv1 = nn.Conv1d(3, 24, 7, padding=3)
        self.bn1 = nn.BatchNorm1d(24)
        self.conv2 = nn.Conv1d(24, 48, 5, padding=2)
        self.bn2 = nn.BatchNorm1d(48)
        self.conv3 = nn.Conv1d(48, 48, 3, padding=1)
        self.fc = nn.Linear(48, n_classes)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool1d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.conv3(x))
        return self.fc(x.mean(dim=2))


def train(model, device, loader, optimizer, scheduler, epoch, ema, ema_decay):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(ema_decay).add_(pm, alpha=1 - ema_decay)
            for be, bm in zip(ema.buffers(), model.buffers()):
                be.copy_(bm)


def evaluate(model, device, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(dim=1) == target).sum().item()
    n = len(loader.dataset)
    return test_loss / n, correct / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--gamma", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    device = torch.device("cpu")

    X, y = synth_windows(1500, rng)
    Xtr, ytr, Xva, yva = X[:1200], y[:1200], X[1200:], y[1200:]
    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)),
                            batch_size=256)

    model = MFLNet().to(device)
    ema = copy.deepcopy(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=args.gamma)

    for epoch in range(1, args.epochs + 1):
        train(model, device, train_loader, optimizer, scheduler, epoch, ema, 0.9)
        vloss, vacc = evaluate(model, device, val_loader)
        print(f"epoch {epoch:2d}  lr {optimizer.param_groups[0]['lr']:.2e}  val_loss {vloss:.4f}  val_acc {vacc:.3f}")

    torch.save(ema, "/tmp/ropeway_mfl_ema.pt")
    ema_loaded = torch.load("/tmp/ropeway_mfl_ema.pt", weights_only=False)
    eloss, eacc = evaluate(ema_loaded, device, val_loader)
    print(f"final val_acc {vacc:.3f}  ema val_acc {eacc:.3f}")


if __name__ == "__main__":
    main()
