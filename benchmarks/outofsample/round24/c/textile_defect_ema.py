"""Loom inspection: classify 24x24 grey-level fabric patches into defect types.

Patches come from a line-scan camera over a plain weave. Defects: holes, oil stains, broken
ends (a missing warp thread, vertical) and slubs (a thick spot in the weft, horizontal).
Orientation of holes and stains is arbitrary, but warp/weft direction is fixed by the
camera, so we augment with flips only (no 90-degree turns, which would swap warp and weft).
We keep an exponential moving average of the weights and ship the EMA model.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

CLASSES = ["ok", "hole", "stain", "broken_end", "slub"]
S = 24


def weave(rng):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    period = rng.uniform(2.6, 3.4)
    base = 0.5 + 0.18 * np.sin(2 * np.pi * xx / period) * np.sin(2 * np.pi * yy / period + rng.uniform(0, 6))
    return base + 0.09 * rng.standard_normal((S, S)), yy, xx


def make_patches(n, seed):
    rng = np.random.default_rng(seed)
    probs = [0.4, 0.15, 0.15, 0.15, 0.15]
    labels = rng.choice(len(CLASSES), n, p=probs)
    imgs = np.zeros((n, 1, S, S), np.float32)
    for i, c in enumerate(labels):
        img, yy, xx = weave(rng)
        cx, cy = rng.uniform(6, S - 6, 2)
        if c == 1:    # hole: dark, sharp-edged
            r = rng.uniform(1.2, 2.5)
            img[(xx - cx) ** 2 + (yy - cy) ** 2 < r ** 2] *= 0.45
        elif c == 2:  # stain: soft darkening, texture still visible
            r = rng.uniform(3.0, 6.0)
            img *= 1 - 0.3 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r ** 2))
        elif c == 3:  # broken end: a vertical line with no warp texture
            col = int(cx)
            img[:, col] = 0.5 + 0.1 * rng.standard_normal(S)
        elif c == 4:  # slub: a short thick bright band in the weft direction
            row, half = int(cy), rng.uniform(3, 7)
            band = np.abs(xx[0] - cx) < half
            img[row, band] += 0.3
        imgs[i, 0] = img
    return imgs, labels.astype(np.int64)


class Patches(Dataset):
    def __init__(self, x, y, augment):
        self.x, self.y, self.augment = torch.from_numpy(x), torch.from_numpy(y), augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        img = self.x[i]
        if self.augment:
            if torch.rand(()) < 0.5:
                img = img.flip(-1)
            if torch.rand(()) < 0.5:
                img = img.flip(-2)
        return (img - 0.45) / 0.2, self.y[i]


class Net(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 48, 3, padding=1), nn.BatchNorm2d(48), nn.ReLU(),
        )
        self.head = nn.Linear(48, n_classes)

    def forward(self, x):
        return self.head(self.features(x).amax(dim=(2, 3)))


@torch.no_grad()
def ema_update(ema, model, decay):
    msd = model.state_dict()
    for name, v in ema.state_dict().items():
        if v.dtype.is_floating_point:
            v.mul_(decay).add_(msd[name].detach(), alpha=1 - decay)
        else:
            v.copy_(msd[name])


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    loss_sum, correct = 0.0, 0
    for x, y in loader:
        out = model(x)
        loss_sum += F.cross_entropy(out, y, reduction="sum").item()
        correct += (out.argmax(1) == y).sum().item()
    return loss_sum / len(loader.dataset), correct / len(loader.dataset)


def main():
    torch.manual_seed(0)
    x, y = make_patches(1500, seed=8)
    train_ds = Patches(x[:1200], y[:1200], augment=True)
    val_ds = Patches(x[1200:], y[1200:], augment=False)
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=300)

    model = Net(len(CLASSES))
    ema = copy.deepcopy(model)
    epochs = 10
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=epochs * len(train_loader))
    step = 0
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            ema_update(ema, model, decay=min(0.97, (1 + step) / (10 + step)))
        vl, va = evaluate(model, val_loader)
        el, ea = evaluate(ema, val_loader)
        print(f"epoch {epoch + 1} val_loss {vl:.4f} val_acc {va:.4f} | ema val_loss {el:.4f} val_acc {ea:.4f}")

    path = os.path.join(tempfile.mkdtemp(), "loom_inspector.pt")
    torch.save(ema, path)
    shipped = torch.load(path, weights_only=False)
    _, acc = evaluate(shipped, val_loader)
    print(f"final shipped ema val_acc {acc:.4f}")


if __name__ == "__main__":
    main()
