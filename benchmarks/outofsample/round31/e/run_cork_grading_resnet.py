"""Cork-plank grading from line-scan crops (cork harvest sorting yard).

24x24 grey crops of boiled cork planks. Grades: 0 premium (few fine pores), 1 standard
(more, larger pores), 2 low (large lenticels and a crack), 3 reject (diffuse 'yellow stain'
patch, dark in grey). Small residual CNN with BatchNorm; mixup, label smoothing, flips,
OneCycleLR stepped per batch.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)
S = 24
yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)


def plank(grade):
    img = 0.62 + 0.05 * np.sin(xx / rng.uniform(2.5, 4.0) + rng.uniform(0, 6)) + rng.normal(0, 0.03, (S, S))
    n_pores, rmax = {0: (3, 1.1), 1: (7, 1.6), 2: (9, 2.4), 3: (5, 1.6)}[grade]
    for _ in range(rng.poisson(n_pores) + 1):
        cx, cy = rng.uniform(0, S, 2)
        rx, ry = rng.uniform(0.6, rmax), rng.uniform(0.4, rmax * 0.7)
        img -= 0.35 * (((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 < 1)
    if grade == 2:
        x0 = rng.uniform(3, 21)
        img -= 0.3 * (np.abs(xx - x0 - 0.3 * (yy - 12)) < 0.8) * (np.abs(yy - rng.uniform(8, 16)) < 8)
    if grade == 3:
        cx, cy = rng.uniform(5, 19, 2)
        img -= 0.22 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * rng.uniform(2.5, 4) ** 2))
    return np.clip(img, 0, 1).astype(np.float32)


def make(n):
    y = rng.integers(0, 4, n)
    return np.stack([plank(g) for g in y])[:, None], y


Xtr, ytr = make(1400)
Xva, yva = make(400)
Xtr = (Xtr - 0.5) / 0.25
Xva = (Xva - 0.5) / 0.25

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64,
                          shuffle=True, drop_last=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=200)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = nn.Sequential()
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.short(x))


class CorkNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 12, 3, padding=1, bias=False), nn.BatchNorm2d(12), nn.ReLU())
        self.layer1 = BasicBlock(12, 12, 1)
        self.layer2 = BasicBlock(12, 24, 2)
        self.layer3 = BasicBlock(24, 32, 2)
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


model = CorkNet()
EPOCHS = 7
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=EPOCHS,
                                                steps_per_epoch=len(train_loader), pct_start=0.25)
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

for epoch in range(EPOCHS):
    model.train()
    seen, running = 0, 0.0
    for xb, yb in train_loader:
        # augmentation: random horizontal / vertical flips (planks have no orientation)
        if torch.rand(1).item() < 0.5:
            xb = xb.flip(3)
        if torch.rand(1).item() < 0.5:
            xb = xb.flip(2)
        lam = float(np.random.default_rng(seen + epoch * 10_000).beta(0.4, 0.4))
        perm = torch.randperm(xb.size(0))
        mixed = lam * xb + (1 - lam) * xb[perm]
        out = model(mixed)
        loss = lam * criterion(out, yb) + (1 - lam) * criterion(out, yb[perm])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        running += loss.item() * len(xb)
        seen += len(xb)
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in val_loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
    print(f"epoch {epoch + 1} mixup_loss {running / seen:.4f} val_acc {correct / len(yva):.4f}")

print(f"final val accuracy {correct / len(yva):.4f}")
