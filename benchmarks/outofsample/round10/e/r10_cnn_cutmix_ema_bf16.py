"""Small ResNet-ish CNN for 8x8 scanned digits with the full "bag of tricks": mixup / CutMix
(alternating per batch), heavy label smoothing (0.3), SGD + Nesterov with cosine warm
restarts, bfloat16 autocast, an EMA copy of the weights (deepcopy) that is the one evaluated
and exported with torch.save(model).
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
np.random.seed(42)

digits = load_digits()
X = digits.images.astype(np.float32)[:, None]  # (N, 1, 8, 8), values 0..16
y = digits.target
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=42)
mean, std = X_tr.mean(), X_tr.std()
X_tr, X_te = (X_tr - mean) / std, (X_te - mean) / std
train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=64, shuffle=True, drop_last=True)
X_te_t, y_te_t = torch.from_numpy(X_te), torch.from_numpy(y_te)


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)
        self.c2, self.b2 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)

    def forward(self, x):
        return F.relu(x + self.b2(self.c2(F.relu(self.b1(self.c1(x))))))


net = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
    ResBlock(32), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
    ResBlock(64), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))

ema = copy.deepcopy(net)
for p in ema.parameters():
    p.requires_grad_(False)


@torch.no_grad()
def update_ema(decay=0.99):
    for pe, p in zip(ema.parameters(), net.parameters()):
        pe.mul_(decay).add_(p.detach(), alpha=1 - decay)
    for be, b in zip(ema.buffers(), net.buffers()):
        be.copy_(b)


def mix(x, y, alpha=0.4):
    lam = float(np.random.beta(alpha, alpha))
    idx = torch.randperm(x.size(0))
    if np.random.rand() < 0.5:  # mixup
        x = lam * x + (1 - lam) * x[idx]
    else:  # CutMix
        h = int(round(8 * np.sqrt(1 - lam)))
        r, c = np.random.randint(0, 8 - h + 1, 2)
        x = x.clone()
        x[:, :, r:r + h, c:c + h] = x[idx, :, r:r + h, c:c + h]
        lam = 1 - h * h / 64
    return x, y, y[idx], lam


criterion = nn.CrossEntropyLoss(label_smoothing=0.3)
optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=4, T_mult=2)


@torch.no_grad()
def accuracy(model):
    model.eval()
    return (model(X_te_t).argmax(1) == y_te_t).float().mean().item()


epochs = 12
for epoch in range(epochs):
    net.train()
    for i, (xb, yb) in enumerate(train_loader):
        xb, ya, yb2, lam = mix(xb, yb)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = net(xb)
        loss = lam * criterion(out.float(), ya) + (1 - lam) * criterion(out.float(), yb2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step(epoch + i / len(train_loader))
        update_ema()
    print(f"epoch {epoch:2d} loss {loss.item():.3f} lr {optimizer.param_groups[0]['lr']:.4f} "
          f"acc {accuracy(net):.4f} ema acc {accuracy(ema):.4f}")

path = os.path.join(tempfile.mkdtemp(prefix="digits-ema-"), "model.pt")
torch.save(ema, path)
restored = torch.load(path, weights_only=False)
majority = np.bincount(y_te).max() / len(y_te)
print(f"final EMA test accuracy={accuracy(restored):.4f} (majority baseline {majority:.4f})")
