"""Nuclei segmentation on synthetic fluorescence tiles with a small encoder-decoder.

Tiles and masks come off the export tool as 8-bit arrays.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


def render_tiles(n, size=32, seed=0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size]
    imgs = np.zeros((n, size, size), dtype=np.float32)
    masks = np.zeros((n, size, size), dtype=np.uint8)
    for i in range(n):
        img = np.zeros((size, size), dtype=np.float32)
        m = np.zeros((size, size), dtype=bool)
        for _ in range(rng.integers(1, 5)):
            cy, cx = rng.uniform(4, size - 4, 2)
            ry, rx = rng.uniform(2.0, 5.5, 2)
            blob = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0
            m |= blob
            img += blob * rng.uniform(0.35, 0.9)
        # uneven illumination, shot noise, a few bright debris specks
        img += 0.25 * np.sin(xx / rng.uniform(6, 14) + rng.uniform(0, 6)) ** 2
        img += rng.normal(0, 0.12, img.shape)
        for _ in range(rng.integers(0, 4)):
            py, px = rng.integers(0, size, 2)
            img[py, px] += rng.uniform(0.5, 1.0)
        imgs[i] = np.clip(img, 0, 1.5) / 1.5 * 255
        masks[i] = m.astype(np.uint8) * 255
    return imgs.astype(np.uint8), masks


class TileDataset(Dataset):
    def __init__(self, imgs, masks, augment=False):
        self.imgs, self.masks, self.augment = imgs, masks, augment

    def __len__(self):
        return len(self.imgs)

    def __getitem__(self, i):
        x = torch.from_numpy(self.imgs[i]).float().div(255.0).sub(0.5).div(0.25)[None]
        y = torch.from_numpy(self.masks[i]).float().div(255.0)[None]
        if self.augment:
            if torch.rand(()) < 0.5:
                x, y = x.flip(-1), y.flip(-1)
            if torch.rand(()) < 0.5:
                x, y = x.flip(-2), y.flip(-2)
        return x, y


def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
    )


class TinyUNet(nn.Module):
    def __init__(self, c=16):
        super().__init__()
        self.enc1 = block(1, c)
        self.enc2 = block(c, 2 * c)
        self.mid = block(2 * c, 2 * c)
        self.dec2 = block(4 * c, c)
        self.dec1 = block(2 * c, c)
        self.head = nn.Conv2d(c, 1, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        m = self.mid(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([F.interpolate(m, scale_factor=2), e2], 1))
        d1 = self.dec1(torch.cat([F.interpolate(d2, scale_factor=2), e1], 1))
        return self.head(d1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--lr", type=float, default=2e-3)
    args = ap.parse_args()

    torch.manual_seed(0)
    imgs, masks = render_tiles(640, seed=0)
    train_ds = TileDataset(imgs[:512], masks[:512], augment=True)
    val_ds = TileDataset(imgs[512:], masks[512:])
    train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=64)

    model = TinyUNet()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    criterion = nn.BCEWithLogitsLoss()

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for x, y in train_loader:
            opt.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            opt.step()
            running += loss.item() * x.size(0)

        model.eval()
        inter = union = 0.0
        with torch.no_grad():
            for x, y in val_loader:
                pred = model(x) > 0
                gt = y > 0.5
                inter += (pred & gt).sum().item()
                union += (pred | gt).sum().item()
        print(f"epoch {epoch}: train loss {running / len(train_ds):.4f}  val IoU {inter / union:.4f}")

    print(f"final val IoU {inter / union:.4f}")


if __name__ == "__main__":
    main()
