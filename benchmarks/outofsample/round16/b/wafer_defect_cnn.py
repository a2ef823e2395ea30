"""Wafer-map defect pattern classification (WM-811K-style failure maps, 24x24 dies).

Each map marks failing dies on a circular wafer; classes are the spatial failure pattern
(none, center, donut, edge-ring, edge-loc, local, scratch, random). Patterns are rotation and
reflection invariant, so training maps are augmented with random 90-degree rotations and flips.
A small CNN with label smoothing 0.1, SGD with Nesterov momentum and a step decay, and forward
passes under bfloat16 autocast.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(6)
rng = np.random.default_rng(6)
S = 24
yy, xx = np.mgrid[:S, :S]
cy = cx = (S - 1) / 2
r = np.hypot(yy - cy, xx - cx) / (S / 2)
theta = np.arctan2(yy - cy, xx - cx)
on_wafer = r <= 1.0
CLASSES = ["none", "center", "donut", "edge-ring", "edge-loc", "local", "scratch", "random"]


def wafer(c):
    p = np.full((S, S), rng.uniform(0.02, 0.08))
    k = rng.uniform(0.35, 0.75)             # how strongly the pattern shows
    if c == 1:
        p += k * (r < rng.uniform(0.25, 0.4))
    elif c == 2:
        r0 = rng.uniform(0.35, 0.55)
        p += k * (np.abs(r - r0) < 0.12)
    elif c == 3:
        p += k * (r > rng.uniform(0.82, 0.9))
    elif c == 4:
        a = rng.uniform(-np.pi, np.pi)
        p += k * ((r > 0.75) & (np.abs(np.angle(np.exp(1j * (theta - a)))) < 0.5))
    elif c == 5:
        py, px = rng.uniform(4, S - 4, 2)
        p += k * (np.hypot(yy - py, xx - px) < rng.uniform(2, 3.5))
    elif c == 6:
        a = rng.uniform(0, np.pi)
        off = rng.uniform(-4, 4)
        d = np.abs((xx - cx) * np.sin(a) - (yy - cy) * np.cos(a) - off)
        along = (xx - cx) * np.cos(a) + (yy - cy) * np.sin(a)
        p += k * ((d < 0.8) & (np.abs(along - rng.uniform(-3, 3)) < rng.uniform(5, 9)))
    elif c == 7:
        p += rng.uniform(0.15, 0.3)
    fail = (rng.random((S, S)) < np.clip(p, 0, 1)) & on_wafer
    # channel 0: fail map, channel 1: wafer mask (dies that exist)
    return np.stack([fail, on_wafer]).astype(np.float32)


y = rng.choice(len(CLASSES), size=3000)
X = np.stack([wafer(c) for c in y])
perm = rng.permutation(len(y))
tr, va = perm[:2400], perm[2400:]


class WaferMaps(Dataset):
    def __init__(self, X, y, augment):
        self.X, self.y, self.augment = torch.from_numpy(X), torch.from_numpy(y), augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.augment:
            x = torch.rot90(x, int(torch.randint(4, (1,))), dims=(1, 2))
            if torch.rand(1) < 0.5:
                x = torch.flip(x, dims=(2,))
        return x, self.y[i]


train_loader = DataLoader(WaferMaps(X[tr], y[tr], augment=True), batch_size=64, shuffle=True)
val_loader = DataLoader(WaferMaps(X[va], y[va], augment=False), batch_size=300)


class WaferCNN(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn1, self.bn2, self.bn3 = nn.BatchNorm2d(16), nn.BatchNorm2d(32), nn.BatchNorm2d(64)
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.bn3(self.conv3(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


model = WaferCNN(len(CLASSES))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True,
                            weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.3)
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

for epoch in range(1, 13):
    model.train()
    total, seen = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = model(xb)
        loss = criterion(out.float(), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        seen += len(yb)
    scheduler.step()
    model.eval()
    correct = 0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for xb, yb in val_loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
    acc = correct / len(va)
    print(f"epoch {epoch:2d} train_loss {total / seen:.4f} val_acc {acc:.4f}")

print(f"final val_acc {acc:.4f}")
