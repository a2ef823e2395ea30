"""Early wildfire smoke segmentation on lookout-tower camera tiles.

Tiles are 32x32 RGB crops around the horizon. Annotators painted smoke plumes; the
annotation tool exports one 8-bit PNG mask per tile. Clouds are the usual distractor.
A small fully-convolutional net predicts a per-pixel smoke logit; we report IoU on held-out tiles.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

H = W = 32


def render_tiles(n, seed):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    imgs = np.zeros((n, 3, H, W), np.float32)
    masks = np.zeros((n, H, W), np.uint8)
    for i in range(n):
        horizon = rng.integers(18, 26)
        sky = np.stack([0.45 + 0.3 * yy / H, 0.6 + 0.25 * yy / H, 0.9 - 0.1 * yy / H])
        ground = np.stack([0.22 + 0.05 * rng.standard_normal((H, W)),
                           0.30 + 0.06 * rng.standard_normal((H, W)),
                           0.15 + 0.04 * rng.standard_normal((H, W))])
        img = np.where(yy[None] < horizon, sky, ground)
        # clouds: bright, compact, white
        for _ in range(rng.integers(0, 3)):
            cx, cy, r = rng.uniform(0, W), rng.uniform(0, horizon - 4), rng.uniform(2.0, 5.0)
            d = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r ** 2))
            img = img * (1 - 0.8 * d) + 0.97 * 0.8 * d
        # smoke: grey plume rising from the horizon, drifting with the wind
        if rng.random() < 0.65:
            x0, drift = rng.uniform(4, W - 4), rng.uniform(-0.6, 0.6)
            height = rng.uniform(8, horizon)
            width0 = rng.uniform(1.0, 2.0)
            rise = np.clip(horizon - yy, 0, None)
            centre = x0 + drift * rise
            spread = width0 + 0.25 * rise
            dens = np.exp(-((xx - centre) ** 2) / (2 * spread ** 2)) * (rise > 0) * (rise < height)
            dens *= np.clip(1.2 - rise / height, 0, 1)
            alpha = 0.55 * dens
            img = img * (1 - alpha) + np.array([0.62, 0.6, 0.58])[:, None, None] * alpha
            masks[i] = np.where(dens > 0.3, 255, 0).astype(np.uint8)
        img += 0.03 * rng.standard_normal(img.shape)
        imgs[i] = img
    return imgs, masks


class SmokeFCN(nn.Module):
    def __init__(self, c=12):
        super().__init__()
        self.enc1 = nn.Sequential(nn.Conv2d(3, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(),
                                  nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU())
        self.enc2 = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(c, 2 * c, 3, padding=1),
                                  nn.BatchNorm2d(2 * c), nn.ReLU())
        self.up = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.dec = nn.Sequential(nn.Conv2d(2 * c, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, 1, 1))

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(e1)
        return self.dec(torch.cat([e1, self.up(e2)], dim=1))


def iou(model, loader):
    model.eval()
    inter = union = 0.0
    with torch.no_grad():
        for x, m in loader:
            pred = model(x) > 0
            truth = m > 0
            inter += (pred & truth).sum().item()
            union += (pred | truth).sum().item()
    return inter / max(union, 1.0)


def main():
    torch.manual_seed(0)
    imgs, mask_png = render_tiles(700, seed=3)
    x = torch.from_numpy(imgs)
    mean = x[:560].mean(dim=(0, 2, 3), keepdim=True)
    std = x[:560].std(dim=(0, 2, 3), keepdim=True)
    x = (x - mean) / std
    m = torch.from_numpy(mask_png).float().unsqueeze(1)

    train_loader = DataLoader(TensorDataset(x[:560], m[:560]), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(x[560:], m[560:]), batch_size=100)

    model = SmokeFCN()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    epochs = 8
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    for epoch in range(epochs):
        model.train()
        running = 0.0
        for xb, mb in train_loader:
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(model(xb), mb)
            loss.backward()
            opt.step()
            running += loss.item() * len(xb)
        sched.step()
        print(f"epoch {epoch + 1} train_loss {running / 560:.4f} val_iou {iou(model, val_loader):.4f}")
    print(f"final val_iou {iou(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
