"""Tea factory sorting room: grade made-tea samples from tray photos.

Each 20x20 RGB crop shows particles of made tea on a white tray.  Grades by
particle size: 0 OP (long wiry leaf), 1 BOP (broken), 2 fannings, 3 dust.
Golden tips appear in every grade.  Small CNN with flip/rotation augmentation,
early stopping on validation loss, the best model saved whole with torch.save.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(29)
rng = np.random.default_rng(29)
S = 20
LEN = {0: (5.0, 8.0), 1: (2.8, 4.6), 2: (1.6, 2.8), 3: (0.6, 1.6)}


def tray_photo(grade):
    img = np.ones((S, S, 3), np.float32) * rng.uniform(225, 245) + rng.normal(0, 6, (S, S, 3))
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    n_part = {0: 4, 1: 7, 2: 12, 3: 22}[grade] + rng.integers(-1, 3)
    for _ in range(n_part):
        cy, cx = rng.uniform(0, S, 2)
        length = rng.uniform(*LEN[grade])
        width = max(0.5, length * rng.uniform(0.18, 0.35)) if grade < 2 else length * rng.uniform(0.6, 1.0)
        th = rng.uniform(0, np.pi)
        u = (xx - cx) * np.cos(th) + (yy - cy) * np.sin(th)
        v = -(xx - cx) * np.sin(th) + (yy - cy) * np.cos(th)
        m = (u / length) ** 2 + (v / width) ** 2 < 1.0
        if rng.random() < 0.15:
            colour = np.array([200, 150, 60]) + rng.normal(0, 10, 3)      # golden tip
        else:
            colour = np.array([70, 45, 30]) + rng.normal(0, 8, 3)
        img[m] = colour
    return np.clip(img, 0, 255)


def make_set(n):
    y = rng.integers(0, 4, n)
    X = np.stack([tray_photo(g) for g in y]).transpose(0, 3, 1, 2)
    return X.astype(np.float32), y.astype(np.int64)


Xtr, ytr = make_set(1600)
Xva, yva = make_set(400)
mean = Xtr.mean(axis=(0, 2, 3), keepdims=True)
std = Xtr.std(axis=(0, 2, 3), keepdims=True)
Xtr, Xva = (Xtr - mean) / std, (Xva - mean) / std

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=200)


def augment(x):
    if torch.rand(()) < 0.5:
        x = torch.flip(x, dims=[3])
    if torch.rand(()) < 0.5:
        x = torch.flip(x, dims=[2])
    return torch.rot90(x, k=int(torch.randint(0, 4, ())), dims=[2, 3])


model = nn.Sequential(
    nn.Conv2d(3, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(),
    nn.Conv2d(24, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 48, 3, padding=1), nn.BatchNorm2d(48), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(48, 4),
)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
ckpt = os.path.join(tempfile.gettempdir(), "tea_grader_best.pt")

best, patience, bad = float("inf"), 3, 0
for epoch in range(1, 16):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(augment(xb)), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            total_loss += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
    val_loss = total_loss / len(val_loader.dataset)
    acc = correct / len(val_loader.dataset)
    print(f"epoch {epoch:2d}  val_loss {val_loss:.4f}  val_acc {acc:.4f}")
    if val_loss < best - 1e-4:
        best, bad = val_loss, 0
        torch.save(model, ckpt)
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch}")
            break

model = torch.load(ckpt, weights_only=False)
model.eval()
with torch.no_grad():
    acc = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in val_loader) / len(yva)
print(f"final val_acc {acc:.4f} (best val_loss {best:.4f})")
