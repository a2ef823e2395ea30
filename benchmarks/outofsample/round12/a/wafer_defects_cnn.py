"""Wafer-map inspection: classify 24x24 grayscale inspection crops (8-bit) into
clean / scratch / particle / edge-ring with a small CNN.
The best epoch is checkpointed with torch.save(model) and reloaded for the test split."""
import random

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["clean", "scratch", "particle", "edge_ring"]
H = W = 24


def render(label, rng):
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    img = 110 + 20 * np.sin(xx / rng.uniform(2, 4) + rng.uniform(0, 6)) * np.cos(yy / rng.uniform(2, 4))
    img += rng.normal(0, 14, size=(H, W))
    if label == 1:  # thin bright line at a random angle
        a = rng.uniform(0, np.pi)
        c = rng.uniform(6, 18, size=2)
        d = np.abs((xx - c[0]) * np.sin(a) - (yy - c[1]) * np.cos(a))
        img += 70 * np.exp(-d ** 2 / 0.8)
    elif label == 2:  # a few dark particles
        for _ in range(rng.integers(2, 5)):
            cx, cy = rng.uniform(2, W - 2, size=2)
            img -= 60 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / rng.uniform(0.8, 2.0))
    elif label == 3:  # bright ring near the border
        r = np.hypot(xx - W / 2 + 0.5, yy - H / 2 + 0.5)
        img += 55 * np.exp(-(r - rng.uniform(9, 11)) ** 2 / 1.5)
    return np.clip(img, 0, 255).astype(np.uint8)


def build_split(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(CLASSES), size=n)
    imgs = np.stack([render(c, rng) for c in y])
    return imgs, y


def to_tensors(imgs, y):
    x = torch.from_numpy(imgs).float().unsqueeze(1)
    return TensorDataset(x, torch.from_numpy(y).long())


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 3 * 3, 64)
        self.fc2 = nn.Linear(64, len(CLASSES))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


def evaluate(model, loader):
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss_sum += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
            total += len(y)
    return loss_sum / total, correct / total


def main():
    torch.manual_seed(0)
    random.seed(0)
    train_ds = to_tensors(*build_split(2000, seed=1))
    val_ds = to_tensors(*build_split(600, seed=2))
    test_ds = to_tensors(*build_split(600, seed=3))
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)
    test_loader = DataLoader(test_ds, batch_size=256)

    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    best = -1.0
    for epoch in range(1, 7):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        val_loss, val_acc = evaluate(model, val_loader)
        print(f"epoch {epoch}: train_loss {loss.item():.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")
        if val_acc > best:
            best = val_acc
            torch.save(model, "/tmp/wafer_best.pt")

    model = torch.load("/tmp/wafer_best.pt", weights_only=False)
    test_loss, test_acc = evaluate(model, test_loader)
    print(f"final test_loss={test_loss:.4f} test_acc={test_acc:.4f}")


if __name__ == "__main__":
    main()
