"""Texture classifier: noisy sinusoidal gratings (3 orientations x 2 spatial frequencies),
16x16 grey patches. A compact ResNet (two residual stages) is pretrained on the coarse
orientation task, then fine-tuned on the 6 fine classes with a new head.
The trained model is saved whole with torch.save and reloaded for the final test.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(4)
rng = np.random.default_rng(4)


def gratings(n):
    yy, xx = np.mgrid[0:16, 0:16].astype(np.float32)
    labels = rng.integers(0, 6, size=n)
    thetas = np.array([0.0, np.pi / 3, 2 * np.pi / 3])
    freqs = np.array([0.35, 0.75])
    imgs = np.empty((n, 1, 16, 16), np.float32)
    for i, c in enumerate(labels):
        th = thetas[c % 3] + rng.normal(0, 0.15)
        f = freqs[c // 3] * rng.uniform(0.85, 1.15)
        phase = rng.uniform(0, 2 * np.pi)
        g = np.sin(f * (xx * np.cos(th) + yy * np.sin(th)) + phase)
        imgs[i, 0] = rng.uniform(0.4, 1.0) * g + rng.normal(0, 1.5, size=(16, 16))
    return torch.from_numpy(imgs), torch.from_numpy(labels)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
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


class SmallResNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU())
        self.layer1 = BasicBlock(32, 32)
        self.layer2 = BasicBlock(32, 64, stride=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


X_tr, y_tr = gratings(1600)
X_te, y_te = gratings(600)
test_loader = DataLoader(TensorDataset(X_te, y_te), batch_size=300)


def test(m):
    m.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for xb, yb in test_loader:
            out = m(xb)
            loss += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
    return loss / len(test_loader.dataset), correct / len(test_loader.dataset)


def train(model, optimizer, loader, epochs, tag, evaluate=True):
    for epoch in range(1, epochs + 1):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()
        if evaluate:
            tl, ta = test(model)
            print(f"[{tag}] epoch {epoch}  test_loss {tl:.4f}  test_acc {ta:.4f}")


# Stage 1: pretrain on the coarse task (orientation only, 3 classes) with the default head.
model = SmallResNet(num_classes=3)
pre_loader = DataLoader(TensorDataset(X_tr, y_tr % 3), batch_size=64, shuffle=True)
pre_opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
train(model, pre_opt, pre_loader, 3, "pretrain", evaluate=False)

# Stage 2: fine-tune on the 6 fine classes with a fresh head and a small LR.
model.fc = nn.Linear(model.fc.in_features, 6)          # our dataset has 6 classes
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)
train(model, optimizer, train_loader, 5, "finetune")

path = os.path.join(tempfile.mkdtemp(), "gratings_resnet.pt")
torch.save(model, path)
restored = torch.load(path, weights_only=False)
tl, ta = test(restored)
print(f"final test_loss {tl:.4f}  test_acc {ta:.4f}")
