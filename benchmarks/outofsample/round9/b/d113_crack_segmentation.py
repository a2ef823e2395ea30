"""Binary segmentation of surface cracks / pits on concrete tiles (simulated grey images).

Images and their annotation masks are stored as 8-bit arrays, as exported by the labelling
tool. A small encoder-decoder is trained with BCE on logits; an EMA copy of the weights is
used for evaluation.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(13)
rng = np.random.default_rng(13)
S = 32


def make_tile():
    yy, xx = np.mgrid[0:S, 0:S]
    mask = np.zeros((S, S), dtype=bool)
    for _ in range(int(rng.integers(1, 4))):
        if rng.random() < 0.5:  # a crack: thick random line
            y0, x0 = rng.uniform(0, S, 2)
            a = rng.uniform(0, np.pi)
            d = np.abs((yy - y0) * np.cos(a) - (xx - x0) * np.sin(a))
            along = np.abs((yy - y0) * np.sin(a) + (xx - x0) * np.cos(a))
            mask |= (d < rng.uniform(0.8, 1.6)) & (along < rng.uniform(6, 14))
        else:  # a pit
            cy, cx = rng.uniform(4, S - 4, 2)
            mask |= (yy - cy) ** 2 + (xx - cx) ** 2 < rng.uniform(2, 9)
    texture = rng.normal(0, 1, (S, S))
    texture = (texture + np.roll(texture, 1, 0) + np.roll(texture, 1, 1)) / 3
    img = 150 + 18 * texture + 10 * np.sin(xx / rng.uniform(4, 9)) - 55 * mask + rng.normal(0, 8, (S, S))
    return np.clip(img, 0, 255).astype(np.uint8), (mask * 255).astype(np.uint8)


tiles, masks = zip(*[make_tile() for _ in range(1000)])
tiles, masks = np.stack(tiles), np.stack(masks)

images = torch.from_numpy(tiles).float().unsqueeze(1) / 127.5 - 1.0
targets = torch.from_numpy(masks).float().unsqueeze(1)

train_ds = TensorDataset(images[:800], targets[:800])
val_x, val_m = images[800:], masks[800:] > 0
loader = DataLoader(train_ds, batch_size=32, shuffle=True, num_workers=0)


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class TinyUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = block(1, 16)
        self.enc2 = block(16, 32)
        self.up = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec = block(32, 16)
        self.out = nn.Conv2d(16, 1, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        d = self.dec(torch.cat([self.up(e2), e1], dim=1))
        return self.out(d)


model = TinyUNet()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)

epochs = 5
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=epochs * len(loader))


@torch.no_grad()
def update_ema(decay=0.98):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(net):
    pred = (net(val_x) > 0).squeeze(1).numpy()
    inter = (pred & val_m).sum()
    union = (pred | val_m).sum()
    return inter / union, (pred == val_m).mean()


for epoch in range(epochs):
    model.train()
    for xb, mb in loader:
        loss = F.binary_cross_entropy_with_logits(model(xb), mb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        update_ema()
    iou, acc = evaluate(ema)
    print(f"epoch {epoch + 1} loss {loss.item():.4f} ema val IoU {iou:.4f} pixel_acc {acc:.4f}")

iou, acc = evaluate(ema)
print(f"final val IoU {iou:.4f} pixel_acc {acc:.4f} (foreground share {val_m.mean():.3f})")
