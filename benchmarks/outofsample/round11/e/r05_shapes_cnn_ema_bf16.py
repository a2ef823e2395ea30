"""Defect-shape classifier for inspection crops: small CNN, bf16 autocast, augmentation, EMA.

24x24 grey crops of five blob shapes (dent, scratch-square, chip-triangle, cross-crack, ring).
Training crops are augmented (random flips, 90-degree rotations, +-2 px shifts, gain jitter);
validation crops are not.  The forward pass runs under CPU bf16 autocast; an exponential moving
average of the weights (a deepcopy updated after every step) is the model that gets saved with
torch.save and evaluated.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

S = 24
CLASSES = ["dent", "square", "triangle", "cross", "ring"]


def render(cls, rng):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    cy, cx = rng.uniform(8, 16, 2)
    r = rng.uniform(4.0, 7.0)
    dy, dx = yy - cy, xx - cx
    if cls == 0:
        m = dy ** 2 + dx ** 2 <= r ** 2
    elif cls == 1:
        m = (np.abs(dy) <= r * 0.8) & (np.abs(dx) <= r * 0.8)
    elif cls == 2:
        m = (dy <= r * 0.7) & (dy >= -r) & (np.abs(dx) <= (dy + r) * 0.6)
    elif cls == 3:
        w = max(1.0, r / 3.5)
        m = ((np.abs(dy) <= w) & (np.abs(dx) <= r)) | ((np.abs(dx) <= w) & (np.abs(dy) <= r))
    else:
        d = np.sqrt(dy ** 2 + dx ** 2)
        m = (d <= r) & (d >= r - max(1.5, r / 3))
    img = m.astype(np.float32) * rng.uniform(0.5, 1.0)
    img += rng.normal(0, 0.3, (S, S)).astype(np.float32)          # sensor noise
    img += np.float32(rng.uniform(-0.2, 0.2))                      # illumination offset
    return img


class Crops(Dataset):
    def __init__(self, n, seed, augment):
        rng = np.random.default_rng(seed)
        self.y = rng.integers(0, len(CLASSES), n)
        self.x = np.stack([render(c, rng) for c in self.y])[:, None]
        self.augment = augment
        self.rng = np.random.default_rng(seed + 1)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.x[i]
        if self.augment:
            if self.rng.random() < 0.5:
                x = x[:, :, ::-1]
            x = np.rot90(x, k=self.rng.integers(0, 4), axes=(1, 2))
            x = np.roll(x, shift=tuple(self.rng.integers(-2, 3, 2)), axis=(1, 2))
            x = x * self.rng.uniform(0.85, 1.15)
        return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)), int(self.y[i])


class Net(nn.Module):
    def __init__(self, n_classes=len(CLASSES)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 48, 3, padding=1), nn.BatchNorm2d(48), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(48, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.lerp_(pm, 1.0 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct = n = 0
    for x, y in loader:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(x)
        correct += (logits.float().argmax(1) == y).sum().item()
        n += len(y)
    return correct / n


def main():
    torch.manual_seed(0)
    train_ds, val_ds = Crops(2000, seed=100, augment=True), Crops(800, seed=200, augment=False)
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=200)

    model = Net()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    epochs = 8
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True,
                                weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    for epoch in range(epochs):
        model.train()
        for x, y in train_loader:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            ema_update(ema, model, decay=0.98)
        scheduler.step()
        print(f"epoch {epoch + 1} loss {loss.item():.4f} val_acc {evaluate(model, val_loader):.4f} "
              f"ema_val_acc {evaluate(ema, val_loader):.4f}")

    path = os.path.join(tempfile.mkdtemp(), "shapes_ema.pt")
    torch.save(ema, path)
    restored = torch.load(path, weights_only=False)
    print(f"final val acc (EMA, reloaded)={evaluate(restored, val_loader):.4f} "
          f"raw={evaluate(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
