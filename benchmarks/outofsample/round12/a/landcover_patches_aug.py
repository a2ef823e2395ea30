"""Land-cover classification of 16x16 RGB satellite patches (water, forest, urban,
cropland, bare soil). Flip / 90-degree rotation augmentation (orientation carries no
label information from above), label smoothing, bf16 autocast, linear warm-up then
cosine decay stepped per batch."""
import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, Dataset

CLASSES = ["water", "forest", "urban", "cropland", "bare"]
S = 16


def patch(label, rng):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    base = {0: (40, 70, 120), 1: (45, 95, 50), 2: (120, 118, 115), 3: (110, 140, 70), 4: (150, 120, 90)}[label]
    img = np.array(base, np.float32)[:, None, None] + rng.normal(0, 30, size=(3, S, S))
    img += rng.normal(0, 20, size=(3, 1, 1))            # illumination / season
    if label == 0:
        img += 4 * np.sin(xx / 3 + rng.uniform(0, 6))
    elif label == 1:
        img[1] += 25 * (rng.random((S, S)) < 0.3)
    elif label == 2:
        step = rng.integers(4, 7)
        img += 30 * (((xx.astype(int) % step) == 0) | ((yy.astype(int) % step) == 0))
    elif label == 3:
        a = rng.uniform(0, np.pi)
        img[1] += 25 * np.sin((xx * np.cos(a) + yy * np.sin(a)) * rng.uniform(0.8, 1.4))
    else:
        cx, cy = rng.uniform(0, S, 2)
        img -= 30 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 18)
    return np.clip(img, 0, 255).astype(np.uint8)


class Patches(Dataset):
    def __init__(self, imgs, labels, mean, std, augment):
        self.x = (torch.from_numpy(imgs).float() / 255.0 - mean) / std
        self.y = torch.from_numpy(labels).long()
        self.augment = augment
        self.g = torch.Generator().manual_seed(123)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.x[i]
        if self.augment:
            k = int(torch.randint(0, 4, (1,), generator=self.g))
            x = torch.rot90(x, k, dims=(1, 2))
            if torch.rand(1, generator=self.g) < 0.5:
                x = torch.flip(x, dims=(2,))
        return x, self.y[i]


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


model = nn.Sequential(
    block(3, 24), block(24, 24), nn.MaxPool2d(2),
    block(24, 48), block(48, 48), nn.MaxPool2d(2),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(48, len(CLASSES)),
)


def main():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    y = rng.integers(0, len(CLASSES), size=2000)
    imgs = np.stack([patch(c, rng) for c in y])
    tr, va = slice(0, 1600), slice(1600, 2000)
    raw = torch.from_numpy(imgs[tr]).float() / 255.0
    mean = raw.mean(dim=(0, 2, 3), keepdim=True)[0]
    std = raw.std(dim=(0, 2, 3), keepdim=True)[0]
    train_loader = DataLoader(Patches(imgs[tr], y[tr], mean, std, augment=True), batch_size=64, shuffle=True)
    val_loader = DataLoader(Patches(imgs[va], y[va], mean, std, augment=False), batch_size=200)

    epochs = 5
    total = epochs * len(train_loader)
    warmup = len(train_loader)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.05)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))
    crit = nn.CrossEntropyLoss(label_smoothing=0.1)

    for epoch in range(epochs):
        model.train()
        for x, t in train_loader:
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(x)
            loss = crit(logits.float(), t)
            loss.backward()
            opt.step()
            sched.step()
        model.eval()
        correct, n, vloss = 0, 0, 0.0
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            for x, t in val_loader:
                out = model(x).float()
                vloss += F.cross_entropy(out, t, reduction="sum").item()
                correct += (out.argmax(1) == t).sum().item()
                n += len(t)
        print(f"epoch {epoch + 1}: lr {sched.get_last_lr()[0]:.5f} train_loss {loss.item():.4f} "
              f"val_loss {vloss / n:.4f} val_acc {correct / n:.4f}")
    print(f"final val_loss={vloss / n:.4f} val_acc={correct / n:.4f}")


if __name__ == "__main__":
    main()
