"""Small ResNet on the 8x8 digit scans.

SGD + Nesterov with decoupled-style weight decay (no decay on BN / bias), OneCycle stepped per
batch, mixup, an EMA copy of the weights (copy.deepcopy) that is evaluated and checkpointed
with torch.save(model).  Evaluation sums the per-sample losses and divides by the number of
samples at the end, so the last partial batch is weighted correctly.
"""
import copy
import os
import random
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

SEED = 7
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)


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


class ResNetSmall(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True))
        self.layer1 = BasicBlock(32, 32)
        self.layer2 = BasicBlock(32, 64, stride=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


def mixup(x, y, alpha=0.2):
    lam = float(np.random.beta(alpha, alpha))
    idx = torch.randperm(x.size(0))
    return lam * x + (1 - lam) * x[idx], y, y[idx], lam


@torch.no_grad()
def ema_update(ema, model, decay):
    msd = model.state_dict()
    for k, v in ema.state_dict().items():
        if v.dtype.is_floating_point:
            v.mul_(decay).add_(msd[k].detach(), alpha=1 - decay)
        else:
            v.copy_(msd[k])


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    total_loss, correct, n = 0.0, 0, 0
    for x, y in loader:
        out = model(x)
        total_loss += F.cross_entropy(out, y, reduction="sum").item()
        correct += (out.argmax(1) == y).sum().item()
        n += y.numel()
    return total_loss / n, correct / n


def main():
    digits = load_digits()
    X = (digits.images / 16.0).astype(np.float32)
    X = (X - 0.5) / 0.5
    y = digits.target.astype(np.int64)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=SEED)
    train_ds = TensorDataset(torch.from_numpy(Xtr).unsqueeze(1), torch.from_numpy(ytr))
    val_ds = TensorDataset(torch.from_numpy(Xva).unsqueeze(1), torch.from_numpy(yva))
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True, drop_last=True)
    val_loader = DataLoader(val_ds, batch_size=200)

    model = ResNetSmall()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)

    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim == 1 else decay).append(p)
    optimizer = torch.optim.SGD(
        [{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0.0}],
        lr=0.1, momentum=0.9, nesterov=True,
    )
    epochs = 12
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.2, epochs=epochs, steps_per_epoch=len(train_loader), pct_start=0.25
    )

    ckpt = os.path.join(tempfile.mkdtemp(), "best_ema.pt")
    best = 0.0
    for epoch in range(1, epochs + 1):
        model.train()
        running = 0.0
        for x, y in train_loader:
            xm, ya, yb, lam = mixup(x, y)
            optimizer.zero_grad(set_to_none=True)
            out = model(xm)
            loss = lam * F.cross_entropy(out, ya) + (1 - lam) * F.cross_entropy(out, yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            ema_update(ema, model, decay=0.98)
            running += loss.item()
        val_loss, val_acc = evaluate(ema, val_loader)
        if val_acc > best:
            best = val_acc
            torch.save(ema, ckpt)
        print(f"epoch {epoch:2d} train_loss {running / len(train_loader):.4f} "
              f"ema_val_loss {val_loss:.4f} ema_val_acc {val_acc:.4f} lr {scheduler.get_last_lr()[0]:.4f}")

    best_model = torch.load(ckpt, weights_only=False)
    _, raw_acc = evaluate(model, val_loader)
    val_loss, val_acc = evaluate(best_model, val_loader)
    print(f"raw model val_acc {raw_acc:.4f}")
    print(f"FINAL best EMA checkpoint val_acc {val_acc:.4f} val_loss {val_loss:.4f}")


if __name__ == "__main__":
    main()
