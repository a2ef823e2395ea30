"""Wafer-map defect pattern classification (synthetic 24x24 die-fail maps).

Six patterns: none, center, edge-ring, scratch, local cluster, donut. Small CNN,
SGD with momentum and a one-cycle schedule stepped every batch.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SIZE = 24
CLASSES = ["none", "center", "edge_ring", "scratch", "loc", "donut"]


def wafer_maps(n, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    c = (SIZE - 1) / 2
    r = np.sqrt((yy - c) ** 2 + (xx - c) ** 2) / c
    on_wafer = r <= 1.0
    maps = np.zeros((n, SIZE, SIZE), dtype=np.float32)
    labels = rng.integers(0, len(CLASSES), n)
    for i, lab in enumerate(labels):
        p = np.full((SIZE, SIZE), rng.uniform(0.02, 0.08))
        if lab == 1:
            p += 0.7 * (r < rng.uniform(0.25, 0.4))
        elif lab == 2:
            p += 0.7 * (r > rng.uniform(0.8, 0.88))
        elif lab == 3:
            ang = rng.uniform(0, np.pi)
            off = rng.uniform(-0.4, 0.4) * c
            d = np.abs((xx - c) * np.sin(ang) - (yy - c) * np.cos(ang) - off)
            p += 0.8 * ((d < 1.0) & (r < rng.uniform(0.5, 0.9)))
        elif lab == 4:
            cy, cx = rng.uniform(4, SIZE - 4, 2)
            p += 0.7 * (np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2) < rng.uniform(2, 4))
        elif lab == 5:
            r0 = rng.uniform(0.45, 0.6)
            p += 0.7 * (np.abs(r - r0) < 0.12)
        fails = rng.random((SIZE, SIZE)) < np.clip(p, 0, 1)
        maps[i] = np.where(on_wafer, np.where(fails, 1.0, -1.0), 0.0)
    return maps[:, None], labels


class WaferCNN(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 3 * 3, 64)
        self.fc2 = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


def train(model, loader, criterion, optimizer, scheduler):
    model.train()
    for data, target in loader:
        optimizer.zero_grad()
        loss = criterion(model(data), target)
        loss.backward()
        optimizer.step()
        scheduler.step()
    return loss.item()


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    return test_loss / n, correct / n


def main():
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    X, y = wafer_maps(3000, rng)
    train_ds = TensorDataset(torch.from_numpy(X[:2400]), torch.from_numpy(y[:2400]))
    test_ds = TensorDataset(torch.from_numpy(X[2400:]), torch.from_numpy(y[2400:]))
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    test_loader = DataLoader(test_ds, batch_size=500)

    model = WaferCNN(len(CLASSES))
    epochs = 6
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.05, epochs=epochs,
                                                    steps_per_epoch=len(train_loader))
    for epoch in range(1, epochs + 1):
        last = train(model, train_loader, criterion, optimizer, scheduler)
        val_loss, acc = test(model, test_loader)
        print(f"Epoch {epoch}: last train loss {last:.4f}  test loss {val_loss:.4f}  accuracy {acc:.4f}")
    print(f"final test_acc={acc:.4f}")


if __name__ == "__main__":
    main()
