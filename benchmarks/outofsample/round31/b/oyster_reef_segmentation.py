"""Segment intertidal oyster reef in low-tide drone tiles.

Tiles are 24x24 crops (red, green, near-infrared) from survey flights over an estuary.
Masks were hand-drawn in an annotation tool and exported as PNGs.
Usage: python oyster_reef_segmentation.py [--epochs 5]
"""
import argparse
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def blobs(rng, size, n_blobs):
    yy, xx = np.mgrid[0:size, 0:size]
    m = np.zeros((size, size), bool)
    for _ in range(n_blobs):
        cy, cx = rng.uniform(0, size, 2)
        ry, rx = rng.uniform(2.5, 7, 2)
        th = rng.uniform(0, np.pi)
        dy, dx = yy - cy, xx - cx
        u = dx * np.cos(th) + dy * np.sin(th)
        v = -dx * np.sin(th) + dy * np.cos(th)
        m |= (u / rx) ** 2 + (v / ry) ** 2 < 1
    return m


def make_survey(n, rng, size=24):
    imgs = np.zeros((n, 3, size, size), np.uint8)
    masks = np.zeros((n, 1, size, size), np.uint8)
    yy, xx = np.mgrid[0:size, 0:size]
    for i in range(n):
        reef = blobs(rng, size, rng.integers(0, 4))
        # tidal creek: a smooth dark sinuous band, a common confuser
        phase, amp, width = rng.uniform(0, 6.3), rng.uniform(2, 6), rng.uniform(1.5, 4)
        creek = np.abs(yy - (size / 2 + amp * np.sin(xx / 5.0 + phase)) - rng.uniform(-8, 8)) < width
        creek &= rng.random() < 0.6
        mud = np.array([120, 105, 90], float)[:, None, None] + rng.normal(0, 6, (3, 1, 1))
        img = mud + 0.8 * (xx / size - 0.5)[None] * rng.normal(0, 15)
        img = img + rng.normal(0, 5, (3, size, size))
        img[:, creek] = np.array([70, 80, 60])[:, None] + rng.normal(0, 3, (3, creek.sum()))
        shells = rng.normal(0, 22, (3, size, size))               # rough clustered shells
        shells[2] += 15                                            # algae on shells: brighter NIR
        img[:, reef & ~creek] = (np.array([95, 90, 85])[:, None]
                                 + shells[:, reef & ~creek])
        imgs[i] = np.clip(img, 0, 255).astype(np.uint8)
        masks[i, 0] = np.where(reef & ~creek, 255, 0)
    return imgs, masks


class ReefNet(nn.Module):
    def __init__(self, ch=16):
        super().__init__()
        self.enc1 = nn.Sequential(nn.Conv2d(3, ch, 3, padding=1), nn.BatchNorm2d(ch), nn.ReLU())
        self.enc2 = nn.Sequential(nn.Conv2d(ch, ch, 3, padding=2, dilation=2), nn.BatchNorm2d(ch), nn.ReLU())
        self.enc3 = nn.Sequential(nn.Conv2d(ch, ch, 3, padding=4, dilation=4), nn.BatchNorm2d(ch), nn.ReLU())
        self.out = nn.Conv2d(2 * ch, 1, 1)

    def forward(self, x):
        a = self.enc1(x)
        b = self.enc3(self.enc2(a))
        return self.out(torch.cat([a, b], 1))


def iou(logits, target):
    pred = logits > 0
    t = target > 0.5
    inter = (pred & t).sum().item()
    union = (pred | t).sum().item()
    return inter / max(union, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()

    torch.manual_seed(11)
    rng = np.random.default_rng(11)
    imgs, masks = make_survey(1150, rng)

    x = torch.from_numpy(imgs).float()
    mean = x[:900].mean((0, 2, 3), keepdim=True)
    std = x[:900].std((0, 2, 3), keepdim=True)
    x = (x - mean) / std
    m = torch.from_numpy(masks).float()

    train_ds = TensorDataset(x[:900], m[:900])
    val_ds = TensorDataset(x[900:], m[900:])
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=100)

    model = ReefNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    criterion = nn.BCEWithLogitsLoss()

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for xb, mb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), mb)
            loss.backward()
            optimizer.step()
            running += loss.item() * xb.size(0)
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(xb) for xb, _ in val_loader])
        val_iou = iou(logits, torch.cat([mb for _, mb in val_loader]))
        print(f"epoch {epoch} train_loss {running / len(train_ds):.4f} val_iou {val_iou:.3f}")

    path = os.path.join(tempfile.mkdtemp(), "reefnet.pt")
    torch.save(model, path)
    reloaded = torch.load(path, weights_only=False)
    reloaded.eval()
    with torch.no_grad():
        logits = torch.cat([reloaded(xb) for xb, _ in val_loader])
        target = torch.cat([mb for _, mb in val_loader])
    pixel_acc = ((logits > 0) == (target > 0.5)).float().mean().item()
    print(f"final val_iou {iou(logits, target):.3f} pixel_acc {pixel_acc:.3f}")


if __name__ == "__main__":
    main()
