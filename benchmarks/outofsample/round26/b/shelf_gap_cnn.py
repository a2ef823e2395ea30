"""Classify shelf-camera crops in a grocery aisle: fully stocked, one gap, several gaps,
or view occluded (shopper / trolley). Small BatchNorm CNN, flip + brightness augmentation,
label smoothing, StepLR, early stopping on the validation loss."""
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(13)
rng = np.random.default_rng(13)
CLASSES = ["stocked", "one_gap", "multi_gap", "occluded"]
H, W, ROWS, SLOTS = 24, 36, 3, 6


def render(label):
    img = np.full((H, W), 0.15) + rng.normal(0, 0.03, (H, W))
    row_h, slot_w = H // ROWS, W // SLOTS
    n_gaps = {0: 0, 1: 1, 2: rng.integers(2, 5), 3: rng.integers(0, 3)}[label]
    gaps = set(rng.choice(ROWS * SLOTS, size=n_gaps, replace=False).tolist())
    for r in range(ROWS):
        img[r * row_h + row_h - 1, :] = 0.55                                  # shelf edge
        for s in range(SLOTS):
            if r * SLOTS + s in gaps:
                continue
            top = r * row_h + rng.integers(0, 3)
            x0, x1 = s * slot_w + rng.integers(0, 2), (s + 1) * slot_w - rng.integers(0, 2)
            img[top:r * row_h + row_h - 1, x0:x1] = rng.uniform(0.45, 0.95) + rng.normal(0, 0.05, (r * row_h + row_h - 1 - top, x1 - x0))
    if label == 3:
        cy, cx = rng.uniform(6, 18), rng.uniform(8, 28)
        ry, rx = rng.uniform(7, 12), rng.uniform(6, 11)
        yy, xx = np.mgrid[:H, :W]
        blob = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 < 1
        img[blob] = rng.uniform(0.0, 1.0) + rng.normal(0, 0.04, blob.sum())
    img += np.linspace(-0.1, 0.1, W)[None] * rng.normal(1, 0.5)              # uneven lighting
    return img


N = 1800
labels = rng.choice(4, N, p=[0.3, 0.25, 0.25, 0.2])
images = np.stack([render(l) for l in labels])[:, None].astype(np.float32)
images = (images - 0.45) / 0.3
idx = rng.permutation(N)
tr, va = idx[:1400], idx[1400:]
train_dl = DataLoader(TensorDataset(torch.tensor(images[tr]), torch.tensor(labels[tr])), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.tensor(images[va]), torch.tensor(labels[va])), batch_size=200)


def augment(x):
    flip = torch.rand(x.shape[0]) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(-1), x)
    return x * torch.empty(x.shape[0], 1, 1, 1).uniform_(0.85, 1.15) + torch.empty(x.shape[0], 1, 1, 1).uniform_(-0.2, 0.2)


model = nn.Sequential(
    nn.Conv2d(1, 12, 3, padding=1), nn.BatchNorm2d(12), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(12, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(24, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.AdaptiveMaxPool2d((3, 3)),
    nn.Flatten(), nn.Dropout(0.2), nn.Linear(32 * 9, 4))
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)

best, best_state, patience, bad = float("inf"), None, 3, 0
ckpt = os.path.join(tempfile.gettempdir(), "shelf_gap_best.pt")
for epoch in range(14):
    model.train()
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = F.cross_entropy(model(augment(xb)), yb, label_smoothing=0.05)
        loss.backward()
        opt.step()
    sched.step()

    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in val_dl:
            out = model(xb)
            total_loss += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            seen += len(yb)
    val_loss, val_acc = total_loss / seen, correct / seen
    print(f"epoch {epoch:2d} lr {sched.get_last_lr()[0]:.1e} val loss {val_loss:.4f} acc {val_acc:.4f}")
    if val_loss < best - 1e-4:
        best, bad = val_loss, 0
        torch.save(model.state_dict(), ckpt)
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch}")
            break

model.load_state_dict(torch.load(ckpt))
model.eval()
with torch.no_grad():
    pred = torch.cat([model(xb).argmax(1) for xb, _ in val_dl])
yv = torch.tensor(labels[va])
recall = [((pred == c) & (yv == c)).sum().item() / (yv == c).sum().item() for c in range(4)]
print("per-class recall:", {c: round(r, 3) for c, r in zip(CLASSES, recall)})
print(f"final val accuracy {(pred == yv).float().mean().item():.4f} best val loss {best:.4f}")
