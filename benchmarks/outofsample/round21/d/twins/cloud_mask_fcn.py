"""Per-pixel cloud mask for 5-band smallsat tiles (blue, red, NIR, SWIR, thermal).

Small fully convolutional net, BCE-with-logits per pixel, OneCycle schedule,
EMA of the weights for evaluation; the best EMA model is checkpointed with
torch.save and reloaded for the final score.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
np.random.seed(3)
torch.set_num_threads(1)

SIZE = 24


def smooth_field(rng, n, size, sigma):
    noise = torch.from_numpy(rng.normal(0, 1, (n, 1, size, size)).astype(np.float32))
    k = int(3 * sigma) * 2 + 1
    ax = torch.arange(k, dtype=torch.float32) - k // 2
    g = torch.exp(-ax ** 2 / (2 * sigma ** 2))
    g = g / g.sum()
    f = F.conv2d(F.pad(noise, (k // 2,) * 4, mode="reflect"), g.view(1, 1, 1, k))
    f = F.conv2d(f, g.view(1, 1, k, 1))
    f = (f - f.mean(dim=(2, 3), keepdim=True)) / (f.std(dim=(2, 3), keepdim=True) + 1e-6)
    return f.numpy()[:, 0]


def make_tiles(n, rng):
    cover = smooth_field(rng, n, SIZE, 2.5)
    thresh = rng.normal(0.5, 0.5, (n, 1, 1))
    opacity = np.clip((cover - thresh) * 1.5, 0, 1)                       # thin edges, thick cores
    mask = (opacity > 0.35).astype(np.float32)
    snow = (smooth_field(rng, n, SIZE, 3.5) > rng.normal(1.0, 0.4, (n, 1, 1))).astype(np.float32)
    terrain = smooth_field(rng, n, SIZE, 1.5)
    veg = np.clip(0.5 + 0.3 * terrain, 0, 1)
    blue = 0.08 + 0.02 * terrain + 0.55 * snow
    red = 0.06 + 0.05 * (1 - veg) + 0.55 * snow
    nir = 0.25 + 0.25 * veg + 0.45 * snow
    swir = 0.15 + 0.05 * terrain + 0.15 * snow
    therm = 0.70 + 0.08 * terrain - 0.25 * snow
    cloud = np.stack([0.55, 0.55, 0.55, 0.45, 0.30])[:, None, None, None]
    bands = np.stack([blue, red, nir, swir, therm])
    bands = bands * (1 - opacity) + cloud * opacity
    bands = bands + rng.normal(0, 0.07, bands.shape)
    X = np.transpose(bands, (1, 0, 2, 3)).astype(np.float32)
    return X, mask[:, None]


rng = np.random.default_rng(3)
X, M = make_tiles(600, rng)
Xtr, Mtr, Xva, Mva = X[:480], M[:480], X[480:], M[480:]
band_mu = Xtr.mean(axis=(0, 2, 3), keepdims=True)
band_sd = Xtr.std(axis=(0, 2, 3), keepdims=True)
Xtr = (Xtr - band_mu) / band_sd
Xva = (Xva - band_mu) / band_sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(Mtr)),
                          batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(Mva)), batch_size=120)


class CloudFCN(nn.Module):
    def __init__(self, bands=5, width=16):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Conv2d(bands, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=2, dilation=2), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
        )
        self.head = nn.Conv2d(width, 1, 1)

    def forward(self, x):
        return self.head(self.enc(x))


@torch.no_grad()
def evaluate(net):
    net.eval()
    inter = union = 0.0
    correct = total = 0
    for xb, mb in val_loader:
        prob = torch.sigmoid(net(xb))
        pred = (prob > 0.5).float()
        inter += (pred * mb).sum().item()
        union += ((pred + mb) > 0).float().sum().item()
        correct += (pred == mb).sum().item()
        total += mb.numel()
    return inter / max(union, 1.0), correct / total


model = CloudFCN()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
ema_decay = 0.98

epochs = 10
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=epochs,
                                                steps_per_epoch=len(train_loader))
criterion = nn.BCEWithLogitsLoss()
ckpt = os.path.join(tempfile.gettempdir(), "cloud_fcn_best.pt")

best_iou = -1.0
for epoch in range(1, epochs + 1):
    model.train()
    total_loss = 0.0
    for xb, mb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), mb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(ema_decay).add_(pm, alpha=1 - ema_decay)
            for be, bm in zip(ema.buffers(), model.buffers()):
                be.copy_(bm)
        total_loss += loss.item() * len(xb)
    iou, acc = evaluate(ema)
    if iou > best_iou:
        best_iou = iou
        torch.save(ema, ckpt)
    print(f"epoch {epoch:2d}  train loss {total_loss / len(Xtr):.4f}  val IoU {iou:.4f}  pixel acc {acc:.4f}")

best = torch.load(ckpt, weights_only=False)
iou, acc = evaluate(best)
print(f"best EMA checkpoint: val cloud IoU {iou:.4f}  pixel accuracy {acc:.4f}")
