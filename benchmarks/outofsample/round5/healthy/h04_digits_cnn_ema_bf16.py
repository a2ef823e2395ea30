"""Handwritten digits (sklearn's 8x8 scans) with a small BatchNorm CNN.

bf16 autocast on CPU, OneCycleLR stepped per batch, an EMA copy of the weights made with
copy.deepcopy, random 1-pixel shifts as augmentation, validation every epoch for both the live and
the EMA model, and the best EMA model saved whole with torch.save(model) and reloaded at the end.
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
X = digits.images.astype(np.float32)            # 0..16
y = digits.target
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=42)
mean, std = X_tr.mean(), X_tr.std()
X_tr = torch.tensor((X_tr - mean) / std).unsqueeze(1)
X_va = torch.tensor((X_va - mean) / std).unsqueeze(1)
y_tr, y_va = torch.tensor(y_tr), torch.tensor(y_va)

train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=32, shuffle=True, drop_last=True)
val_loader = DataLoader(TensorDataset(X_va, y_va), batch_size=128)


def conv_bn(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class DigitNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(1, 32), conv_bn(32, 32), nn.MaxPool2d(2),        # 4x4
            conv_bn(32, 64), conv_bn(64, 64), nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, n_classes))

    def forward(self, x):
        return self.head(self.features(x))


def random_shift(x, max_shift=1):
    dx, dy = np.random.randint(-max_shift, max_shift + 1, size=2)
    return torch.roll(x, shifts=(int(dy), int(dx)), dims=(2, 3))


model = DigitNet()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)
EMA_DECAY = 0.98

EPOCHS = 12
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=EPOCHS,
                                                steps_per_epoch=len(train_loader), pct_start=0.25)


@torch.no_grad()
def update_ema():
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(EMA_DECAY).add_(pm.detach(), alpha=1 - EMA_DECAY)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(net):
    net.eval()
    loss, correct = 0.0, 0
    for xb, yb in val_loader:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = net(xb)
        loss += F.cross_entropy(out.float(), yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
    return loss / len(val_loader.dataset), correct / len(val_loader.dataset)


ckpt = os.path.join(tempfile.mkdtemp(prefix="digits_"), "best_ema.pt")
best = 0.0
for epoch in range(1, EPOCHS + 1):
    model.train()
    for xb, yb in train_loader:
        xb = random_shift(xb)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        update_ema()
    v_loss, v_acc = evaluate(model)
    e_loss, e_acc = evaluate(ema)
    if e_acc >= best:
        best = e_acc
        torch.save(ema, ckpt)
    print(f"epoch {epoch:2d} train_loss {loss.item():.3f} val_loss {v_loss:.3f} val_acc {v_acc:.4f} "
          f"ema_val_loss {e_loss:.3f} ema_val_acc {e_acc:.4f}")

restored = torch.load(ckpt, weights_only=False)
_, acc = evaluate(restored)
print(f"FINAL restored EMA val_acc {acc:.4f} (chance 0.10)")
