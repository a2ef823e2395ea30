"""Wafer-map defect pattern classification (center, edge-ring, scratch, donut, random, none)
on 24x24 die-fail maps with a small CNN. Keeps the best epoch by validation accuracy."""
import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

S = 24
CLASSES = ["none", "center", "edge_ring", "scratch", "donut", "random"]


def wafer_maps(n, rng):
    yy, xx = np.mgrid[0:S, 0:S]
    r = np.hypot(yy - S / 2 + .5, xx - S / 2 + .5) / (S / 2)
    on_wafer = r <= 1.0
    X = np.zeros((n, 1, S, S), dtype=np.float32)
    y = rng.integers(0, len(CLASSES), size=n)
    for i, c in enumerate(y):
        p = np.full((S, S), rng.uniform(0.05, 0.2))                     # background fail rate
        if c == 1:
            p += 0.4 * (r < rng.uniform(0.25, 0.4))
        elif c == 2:
            p += 0.4 * (r > rng.uniform(0.78, 0.88))
        elif c == 3:
            ang = rng.uniform(0, np.pi); off = rng.uniform(-5, 5)
            d = np.abs((xx - S / 2) * np.sin(ang) - (yy - S / 2) * np.cos(ang) - off)
            p += 0.5 * (d < 1.0) * (rng.random((S, S)) < 0.8)
        elif c == 4:
            r0 = rng.uniform(0.45, 0.6)
            p += 0.4 * (np.abs(r - r0) < 0.12)
        elif c == 5:
            p += rng.uniform(0.1, 0.25)
        fails = (rng.random((S, S)) < np.clip(p, 0, 1)) & on_wafer
        X[i, 0] = np.where(on_wafer, 1.0 + fails, 0.0)                   # 0 off-wafer, 1 pass, 2 fail
    return X, y


class WaferNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 48, 3, padding=1)
        self.bn3 = nn.BatchNorm2d(48)
        self.drop = nn.Dropout(0.5)
        self.fc1 = nn.Linear(48 * 3 * 3, 64)
        self.fc2 = nn.Linear(64, len(CLASSES))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.max_pool2d(F.relu(self.bn3(self.conv3(x))), 2)
        x = self.drop(torch.flatten(x, 1))
        x = self.drop(F.relu(self.fc1(x)))
        return self.fc2(x)


def train(model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % 20 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += output.argmax(dim=1).eq(target).sum().item()
    test_loss /= len(loader.dataset)
    acc = correct / len(loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(loader.dataset)} ({100. * acc:.1f}%)")
    return test_loss, acc


def main():
    torch.manual_seed(5)
    torch.set_num_threads(1)
    rng = np.random.default_rng(5)
    Xtr, ytr = wafer_maps(1500, rng)
    Xva, yva = wafer_maps(500, rng)
    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=32)

    model = WaferNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    best_acc, best_state = -1.0, None
    for epoch in range(1, 7):
        train(model, train_loader, optimizer, epoch)
        _, acc = test(model, val_loader)
        if acc > best_acc:
            best_acc, best_state = acc, copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    val_loss, val_acc = test(model, val_loader)
    print(f"final val_loss={val_loss:.4f} val_acc={val_acc:.4f}")


if __name__ == "__main__":
    main()
