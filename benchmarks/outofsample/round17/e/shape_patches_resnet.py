"""Classify generated shape patches (vision QA on a stamping line) with a small ResNet.

Patches are 24x24 grey images of one of five shapes at random position, size and
contrast, with sensor noise and a background gradient.  Training uses flips and small
random translations as augmentation (validation is not augmented), bfloat16 autocast,
a one-cycle LR schedule stepped per batch, and keeps the best model with torch.save(model).
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)
S = 24
SHAPES = ["disc", "square", "triangle", "cross", "ring"]


def render(kind, n):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    out = np.empty((n, S, S), np.float32)
    for i in range(n):
        cx, cy = rng.uniform(7, S - 7, 2)
        r = rng.uniform(3.5, 6.5)
        th = rng.uniform(0, np.pi)
        dx, dy = xx - cx, yy - cy
        u = dx * np.cos(th) + dy * np.sin(th)
        v = -dx * np.sin(th) + dy * np.cos(th)
        if kind == 0:
            m = dx ** 2 + dy ** 2 <= r ** 2
        elif kind == 1:
            m = (np.abs(u) <= r * 0.85) & (np.abs(v) <= r * 0.85)
        elif kind == 2:
            m = (v >= -r * 0.6) & (v <= r * 0.9 - 1.7 * np.abs(u))
        elif kind == 3:
            m = ((np.abs(u) <= r) & (np.abs(v) <= r * 0.3)) | ((np.abs(v) <= r) & (np.abs(u) <= r * 0.3))
        else:
            d = np.sqrt(dx ** 2 + dy ** 2)
            m = (d <= r) & (d >= r * 0.55)
        gx, gy = rng.normal(0, 0.02, 2)
        img = 0.3 + gx * (xx - S / 2) + gy * (yy - S / 2)
        img = img + m * rng.uniform(0.35, 0.7)
        out[i] = img + rng.normal(0, 0.08, (S, S))
    return out


per_class = 600
images = np.concatenate([render(k, per_class) for k in range(len(SHAPES))])
labels = np.repeat(np.arange(len(SHAPES)), per_class)
perm = rng.permutation(len(labels))
images, labels = images[perm], labels[perm]
n_train = 2400
mean, std = images[:n_train].mean(), images[:n_train].std()
X = torch.from_numpy((images - mean) / std).unsqueeze(1)
y = torch.from_numpy(labels)

train_loader = DataLoader(TensorDataset(X[:n_train], y[:n_train]), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(X[n_train:], y[n_train:]), batch_size=256)


def augment(x):
    flip = torch.rand(x.size(0)) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    vflip = torch.rand(x.size(0)) < 0.5
    x = torch.where(vflip[:, None, None, None], x.flip(2), x)
    pad = F.pad(x, (2, 2, 2, 2), mode="replicate")
    i, j = torch.randint(0, 5, (2,)).tolist()
    return pad[:, :, i:i + S, j:j + S]


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class SmallResNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.layer1 = BasicBlock(16, 16)
        self.layer2 = BasicBlock(16, 32, stride=2)
        self.layer3 = BasicBlock(32, 48, stride=2)
        self.fc = nn.Linear(48, n_classes)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


model = SmallResNet(len(SHAPES))
epochs = 8
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=epochs,
                                                steps_per_epoch=len(train_loader))


def evaluate(net):
    net.eval()
    correct = 0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for xb, yb in val_loader:
            correct += (net(xb).argmax(1) == yb).sum().item()
    return correct / len(val_loader.dataset)


ckpt = os.path.join(tempfile.mkdtemp(), "best_model.pt")
best = 0.0
for epoch in range(1, epochs + 1):
    model.train()
    seen = total = 0.0
    for xb, yb in train_loader:
        xb = augment(xb)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(yb)
        seen += len(yb)
    acc = evaluate(model)
    if acc > best:
        best = acc
        torch.save(model, ckpt)
    print(f"epoch {epoch} train_loss {total / seen:.4f} val_acc {acc:.4f} lr {scheduler.get_last_lr()[0]:.4f}")

restored = torch.load(ckpt, weights_only=False)
print(f"final val_acc {evaluate(restored):.4f} (best checkpoint)")
