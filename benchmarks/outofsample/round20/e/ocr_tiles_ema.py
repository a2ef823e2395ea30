"""Character recognition on 20x20 tiles cut from scanned delivery notes (0-9, A-Z).

Tiles are rendered glyphs with the usual scanner damage: jitter, rotation, stroke weight,
blur, speckle and uneven toner. A compact CNN is trained with AdamW under a linear
warm-up followed by cosine decay, and an exponential moving average of the weights (a
deepcopy of the model, decay ramped up to 0.99 as in
the usual EMA warm-up) is kept for evaluation and export. Validation loss
is accumulated as a sum over samples and divided by the sample count at the end.
"""
import copy
import os
import tempfile
import math
import string

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(1234)
rng = np.random.default_rng(1234)
CHARS = string.digits + string.ascii_uppercase
T = 20
FONTS = [ImageFont.load_default(size=s) for s in (13, 15, 17)]


def render(ch):
    font = FONTS[rng.integers(len(FONTS))]
    canvas = Image.new("L", (40, 40), 0)
    draw = ImageDraw.Draw(canvas)
    draw.text((20 + rng.integers(-2, 3), 20 + rng.integers(-2, 3)), ch, fill=255, font=font,
              anchor="mm", stroke_width=int(rng.random() < 0.35))
    canvas = canvas.rotate(rng.uniform(-10, 10), resample=Image.BILINEAR)
    if rng.random() < 0.5:
        canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))
    tile = np.asarray(canvas.crop((10, 10, 30, 30)), dtype=np.float32) / 255.0
    tile = tile * rng.uniform(0.55, 1.0)                         # toner density
    tile += rng.normal(0, 0.08, tile.shape)                      # scanner noise
    tile[rng.random(tile.shape) < 0.02] = 1.0                    # speckle
    return np.clip(tile, 0, 1)


def dataset(n_per_class):
    ys = np.repeat(np.arange(len(CHARS)), n_per_class)
    xs = np.stack([render(CHARS[c]) for c in ys])[:, None]
    return torch.from_numpy(xs), torch.from_numpy(ys)


X_tr, y_tr = dataset(60)
X_va, y_va = dataset(15)
mean, std = X_tr.mean(), X_tr.std()
X_tr, X_va = (X_tr - mean) / std, (X_va - mean) / std


class TileNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(64)
        self.conv3 = nn.Conv2d(64, 96, 3, padding=1)
        self.bn3 = nn.BatchNorm2d(96)
        self.drop = nn.Dropout(0.25)
        self.fc = nn.Linear(96 * 5 * 5, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)    # 10x10
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)    # 5x5
        x = F.relu(self.bn3(self.conv3(x)))
        return self.fc(self.drop(torch.flatten(x, 1)))


@torch.no_grad()
def update_ema(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(net, loader):
    net.eval()
    loss_sum, correct, n = 0.0, 0, 0
    for x, y in loader:
        out = net(x)
        loss_sum += F.cross_entropy(out, y, reduction="sum").item()
        correct += (out.argmax(1) == y).sum().item()
        n += len(y)
    return loss_sum / n, correct / n


train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(X_va, y_va), batch_size=256)

model = TileNet(len(CHARS))
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)

EPOCHS = 10
total = EPOCHS * len(train_loader)
warmup = len(train_loader)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.05)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup
    else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))

step = 0
for epoch in range(1, EPOCHS + 1):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        step += 1
        update_ema(ema, model, decay=min(0.99, (1 + step) / (10 + step)))
    vl, va = evaluate(model, val_loader)
    el, ea = evaluate(ema, val_loader)
    print(f"epoch {epoch:2d} train {loss.item():.4f} | model val {vl:.4f} acc {va:.3f} "
          f"| ema val {el:.4f} acc {ea:.3f}")

torch.save(ema.state_dict(), os.path.join(tempfile.gettempdir(), "ocr_tiles_ema.pt"))
print(f"EMA model: val accuracy {ea:.4f}, val loss {el:.4f} ({len(CHARS)} classes)")
