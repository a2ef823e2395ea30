"""Road-surface condition from 32x32 grayscale patches of a vehicle's downward camera.

Classes: intact asphalt, longitudinal crack, alligator cracking, pothole, gravel/loose
surface. Small CNN with flip/rotation augmentation, AdamW, linear warm-up then cosine decay
per step, and an exponential moving average (EMA) of the weights used for evaluation.
"""
import copy
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

CLASSES = ["intact", "crack", "alligator", "pothole", "gravel"]
S = 32


def render_patch(c, rng):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    base = 0.45 + 0.05 * rng.standard_normal() + 0.06 * rng.standard_normal((S, S))
    img = base + 0.04 * np.sin(xx / rng.uniform(2, 5) + rng.uniform(0, 6))
    if c == 1:
        x0, slope = rng.uniform(8, 24), rng.uniform(-0.4, 0.4)
        line = np.abs(xx - (x0 + slope * (yy - S / 2) + 1.5 * np.sin(yy / 3)))
        img -= 0.2 * np.exp(-line ** 2 / 1.2)
    elif c == 2:
        for _ in range(rng.integers(5, 9)):
            if rng.random() < 0.5:
                line = np.abs(yy - rng.uniform(0, S) - 0.3 * np.sin(xx / rng.uniform(2, 4)) * 4)
            else:
                line = np.abs(xx - rng.uniform(0, S) - 0.3 * np.sin(yy / rng.uniform(2, 4)) * 4)
            img -= 0.12 * np.exp(-line ** 2 / 0.8)
    elif c == 3:
        cy, cx, r = rng.uniform(10, 22), rng.uniform(10, 22), rng.uniform(4, 9)
        d = np.sqrt((yy - cy) ** 2 + ((xx - cx) * rng.uniform(0.7, 1.3)) ** 2)
        img -= 0.18 * (d < r) + 0.1 * np.exp(-(d - r) ** 2 / 2.0)
    elif c == 4:
        img += 0.1 * (rng.random((S, S)) > 0.7) - 0.06 * (rng.random((S, S)) > 0.8)
    img += rng.normal(0, 0.06, (S, S))
    return np.clip(img, 0, 1).astype(np.float32)


class Patches(Dataset):
    def __init__(self, n, seed, augment):
        rng = np.random.default_rng(seed)
        self.y = rng.integers(0, len(CLASSES), n)
        self.x = np.stack([render_patch(c, rng) for c in self.y])
        self.x = (self.x - 0.42) / 0.12
        self.augment = augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        img = torch.from_numpy(self.x[i])[None]
        if self.augment:
            if torch.rand(1).item() < 0.5:
                img = img.flip(-1)
            img = torch.rot90(img, int(torch.randint(0, 4, (1,))), dims=(1, 2))
        return img, int(self.y[i])


class SurfaceNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                                 nn.ReLU(inplace=True), nn.MaxPool2d(2))
        self.features = nn.Sequential(block(1, 16), block(16, 32), block(32, 48))
        self.head = nn.Linear(48, n_classes)

    def forward(self, x):
        h = self.features(x)
        return self.head(F.adaptive_avg_pool2d(h, 1).flatten(1))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        if be.dtype.is_floating_point:
            be.mul_(decay).add_(bm, alpha=1 - decay)
        else:
            be.copy_(bm)


@torch.no_grad()
def evaluate(net, loader):
    net.eval()
    correct, total, loss = 0, 0, 0.0
    for xb, yb in loader:
        out = net(xb)
        loss += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
        total += len(yb)
    return loss / total, correct / total


def main():
    torch.manual_seed(0)
    train_ds = Patches(2000, seed=1, augment=True)
    val_ds = Patches(600, seed=2, augment=False)
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=200)

    model = SurfaceNet(len(CLASSES))
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)

    epochs = 6
    total_steps = epochs * len(train_loader)
    warmup = total_steps // 10
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.02)

    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        t = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * (1 + math.cos(math.pi * t))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)

    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            ema_update(ema, model, decay=0.95)
        vl, va = evaluate(model, val_loader)
        el, ea = evaluate(ema, val_loader)
        print(f"epoch {epoch + 1}  lr {scheduler.get_last_lr()[0]:.2e}  val_loss {vl:.4f}  "
              f"val_acc {va:.4f}  ema_val_loss {el:.4f}  ema_val_acc {ea:.4f}")

    el, ea = evaluate(ema, val_loader)
    print(f"final ema val_loss {el:.4f}  val_acc {ea:.4f}")


if __name__ == "__main__":
    main()
