"""Classify wafer-map defect patterns (none / scratch / centre blob / edge ring / random)
from 24x24 inspection maps with a small CNN."""
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
S = 24
CLASSES = ["none", "scratch", "blob", "edge_ring", "random"]


def wafer_maps(n, g):
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, S), torch.linspace(-1, 1, S), indexing="ij")
    r = (xx ** 2 + yy ** 2).sqrt()
    disk = (r <= 1).float()
    labels = torch.randint(0, 5, (n,), generator=g)
    maps = torch.zeros(n, 1, S, S)
    for i in range(n):
        base = 0.08 * torch.rand(S, S, generator=g)
        c = labels[i].item()
        if c == 1:
            th = torch.rand(1, generator=g).item() * math.pi
            off = (torch.rand(1, generator=g).item() - 0.5)
            d = (xx * math.sin(th) - yy * math.cos(th) - off).abs()
            base += (d < 0.07).float() * 0.35
        elif c == 2:
            cx, cy = (torch.rand(2, generator=g) - 0.5) * 0.6
            base += torch.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 0.04) * 0.35
        elif c == 3:
            base += ((r > 0.75) & (r < 0.95)).float() * (0.1 + 0.3 * torch.rand(S, S, generator=g))
        elif c == 4:
            base += (torch.rand(S, S, generator=g) < 0.08).float() * 0.4
        maps[i, 0] = (base + 0.2 * torch.randn(S, S, generator=g)) * disk
    return (maps - 0.06) / 0.22, labels


g = torch.Generator().manual_seed(0)
Xtr, ytr = wafer_maps(1600, g)
Xva, yva = wafer_maps(600, g)
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=200)


class WaferNet(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1)
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.conv3(x))
        return self.fc(x.mean((2, 3)))


def evaluate(model, loader):
    model.eval()
    correct = loss = 0.0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
    n = len(loader.dataset)
    return loss / n, correct / n


model = WaferNet()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=12)

for epoch in range(1, 13):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
    optimizer.step()
    scheduler.step()
    vl, va = evaluate(model, val_loader)
    if epoch % 3 == 0:
        print(f"epoch {epoch:2d} train loss {loss.item():.4f} val loss {vl:.4f} val acc {va:.3f}")

print(f"final val accuracy {va:.4f}")
