"""Cobblestone paving survey: classify the laying pattern in camera patches of old streets.

The council's survey van photographs the carriageway; 20x20 grey patches are cut from the
rectified images and labelled with the laying pattern, which decides the repair method:
stretcher bond (setts in offset courses), square setts laid on a grid, segmental fan
(arcs), and random rubble.  Small CNN trained with flip / shift augmentation under CPU
bf16 autocast, a one-cycle LR schedule stepped per batch, and early stopping on the
validation loss that restores the best weights; the whole model is saved for the app.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(41)
rng = np.random.default_rng(41)
S = 20
PATTERNS = ["stretcher_bond", "square_grid", "segmental_fan", "random_rubble"]


def joints(kind):
    yy, xx = np.mgrid[0:S, 0:S].astype(float)
    ang = rng.normal(0, 0.12)
    u = np.cos(ang) * xx + np.sin(ang) * yy + rng.uniform(0, 10)
    v = -np.sin(ang) * xx + np.cos(ang) * yy + rng.uniform(0, 10)
    w = rng.uniform(0.35, 0.7)                                   # joint half-width, px
    if kind == 0:
        h, l = rng.uniform(4.5, 6.5), rng.uniform(8, 11)
        row = np.floor(v / h)
        d = np.minimum(np.abs((v + h / 2) % h - h / 2), np.abs((u + row * l / 2 + l / 2) % l - l / 2))
    elif kind == 1:
        a = rng.uniform(4.5, 6.5)
        d = np.minimum(np.abs((u + a / 2) % a - a / 2), np.abs((v + a / 2) % a - a / 2))
    elif kind == 2:
        cx, cy, r0 = rng.uniform(3, 17), rng.uniform(26, 40), rng.uniform(4.5, 6.5)
        r = np.hypot(xx - cx, yy - cy)
        ring = np.floor(r / r0)
        theta = np.arctan2(xx - cx, cy - yy) * r
        l = rng.uniform(6, 9)
        d = np.minimum(np.abs((r + r0 / 2) % r0 - r0 / 2), np.abs((theta + ring * l / 2 + l / 2) % l - l / 2))
    else:
        pts = rng.uniform(-4, S + 4, size=(rng.integers(10, 16), 2))
        dist = np.sort(np.hypot(xx[..., None] - pts[:, 0], yy[..., None] - pts[:, 1]), axis=-1)
        d = (dist[..., 1] - dist[..., 0]) / 2
    stone = rng.uniform(0.45, 0.75) + rng.normal(0, 0.08, (S, S))
    img = np.where(d < w, rng.uniform(0.15, 0.35), stone)
    img = img * rng.uniform(0.7, 1.3) + rng.normal(0, 0.09, (S, S))
    return img.astype(np.float32)


def survey(n):
    y = rng.integers(0, 4, n)
    return np.stack([joints(k) for k in y])[:, None], y


X, Y = survey(2400)
n_tr, n_va = 1800, 600
mean, std = X[:n_tr].mean(), X[:n_tr].std()
X = torch.from_numpy((X - mean) / std)
Y = torch.from_numpy(Y)
train_loader = DataLoader(TensorDataset(X[:n_tr], Y[:n_tr]), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(X[n_tr:], Y[n_tr:]), batch_size=300)


def augment(x):
    flip = torch.rand(x.shape[0]) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(-1), x)
    padded = F.pad(x, (2, 2, 2, 2), mode="reflect")
    i, j = np.random.randint(0, 5, size=2)
    return padded[..., i:i + S, j:j + S]


class PavingNet(nn.Module):
    def __init__(self, n_cls=4):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 12, 3, padding=1), nn.BatchNorm2d(12), nn.ReLU(),
            nn.Conv2d(12, 12, 3, padding=1), nn.BatchNorm2d(12), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(12, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(24, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.head = nn.Linear(24, n_cls)

    def forward(self, x):
        return self.head(self.body(x))


np.random.seed(41)
model = PavingNet()
max_epochs, patience = 12, 4
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3,
                                                total_steps=max_epochs * len(train_loader))
best_loss, best_state, bad_epochs = float("inf"), None, 0

for epoch in range(max_epochs):
    model.train()
    for xb, yb in train_loader:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = F.cross_entropy(model(augment(xb)), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    model.eval()
    val_loss, correct = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            logits = model(xb).float()
            val_loss += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
    val_loss /= n_va
    print(f"epoch {epoch + 1:2d} train_loss {loss.item():.4f} val_loss {val_loss:.4f} val_acc {correct / n_va:.4f}")
    if val_loss < best_loss - 1e-4:
        best_loss, best_state, bad_epochs = val_loss, copy.deepcopy(model.state_dict()), 0
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stop after epoch {epoch + 1}")
            break

model.load_state_dict(best_state)
path = os.path.join(tempfile.mkdtemp(prefix="paving_"), "paving_net.pt")
torch.save(model, path)
app_model = torch.load(path, weights_only=False).eval()
with torch.no_grad():
    acc = (app_model(X[n_tr:]).argmax(1) == Y[n_tr:]).float().mean().item()
print(f"final val_acc {acc:.4f}  (best val_loss {best_loss:.4f})")
