"""Grapevine leaf-disease triage from field-scout phone crops (20x20 RGB tiles).

Classes: healthy, downy mildew (yellow oil spots), powdery mildew (whitish dusty
film), black rot (dark round lesions with a margin).  Small CNN, flip/rotate
augmentation, label smoothing, an EMA copy of the weights that is what we ship
(saved whole with torch.save for the scouting app).
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

CLASSES = ["healthy", "downy", "powdery", "black_rot"]
S = 20


def render_leaf(cls, rng):
    yy, xx = np.mgrid[0:S, 0:S] / (S - 1)
    green = np.array([0.22, 0.48, 0.18]) * rng.uniform(0.8, 1.2)
    img = np.ones((S, S, 3)) * green
    # veins
    angle = rng.uniform(0, np.pi)
    vein = np.abs(np.cos(angle) * (yy - 0.5) - np.sin(angle) * (xx - 0.5)) < 0.03
    img[vein] += 0.12
    # illumination gradient
    img *= (0.85 + 0.3 * (rng.uniform() * xx + rng.uniform() * yy))[..., None] / 1.15
    if cls == 1:                                     # downy: a few diffuse yellow spots
        for _ in range(rng.integers(2, 5)):
            cy, cx, r = rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85), rng.uniform(0.08, 0.16)
            w = np.exp(-(((yy - cy) ** 2 + (xx - cx) ** 2) / r ** 2))[..., None]
            img = img * (1 - 0.4 * w) + np.array([0.75, 0.70, 0.25]) * 0.4 * w
    elif cls == 2:                                   # powdery: whitish speckled film
        cover = rng.random((S, S)) < rng.uniform(0.12, 0.3)
        film = (np.exp(-(((yy - rng.uniform(0.3, 0.7)) ** 2 + (xx - rng.uniform(0.3, 0.7)) ** 2) / 0.12)) > 0.4)
        m = (cover & film)[..., None]
        img = np.where(m, img * 0.6 + 0.3, img)
    elif cls == 3:                                   # black rot: dark lesions with a brown margin
        for _ in range(rng.integers(1, 4)):
            cy, cx, r = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8), rng.uniform(0.05, 0.1)
            d = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)
            img[d < r] = np.array([0.12, 0.08, 0.05])
            img[(d >= r) & (d < r + 0.04)] = np.array([0.45, 0.28, 0.10])
    if rng.random() < 0.3:                           # sun-scorch / insect bites on any leaf
        cy, cx = rng.uniform(0.1, 0.9, 2)
        img[np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2) < rng.uniform(0.04, 0.08)] = np.array([0.40, 0.30, 0.12])
    img += rng.normal(0, 0.12, img.shape)
    return np.clip(img, 0, 1).astype(np.float32).transpose(2, 0, 1)


class LeafTiles(Dataset):
    def __init__(self, n, seed, augment):
        rng = np.random.default_rng(seed)
        self.y = rng.choice(4, size=n, p=[0.4, 0.2, 0.2, 0.2])
        self.x = np.stack([render_leaf(c, rng) for c in self.y])
        self.mean = self.x.mean((0, 2, 3), keepdims=True)[0]
        self.std = self.x.std((0, 2, 3), keepdims=True)[0]
        self.augment = augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = torch.from_numpy((self.x[i] - self.mean) / self.std)
        if self.augment:
            if torch.rand(()) < 0.5:
                x = x.flip(-1)
            if torch.rand(()) < 0.5:
                x = x.flip(-2)
            x = torch.rot90(x, int(torch.randint(0, 4, ())), dims=(-2, -1))
        return x, int(self.y[i])


class LeafNet(nn.Module):
    def __init__(self, n_cls=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(32, n_cls))

    def forward(self, x):
        h = self.features(x)
        return self.classifier(h.mean((-2, -1)))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def accuracy(model, loader):
    model.eval()
    correct = n = 0
    for x, y in loader:
        correct += (model(x).argmax(1) == y).sum().item()
        n += len(y)
    return correct / n


def main():
    torch.manual_seed(17)
    train_ds = LeafTiles(1200, seed=1, augment=True)
    val_ds = LeafTiles(500, seed=2, augment=False)
    val_ds.mean, val_ds.std = train_ds.mean, train_ds.std
    train_dl = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_dl = DataLoader(val_ds, batch_size=250)

    model = LeafNet()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    epochs = 6
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * len(train_dl))
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

    step = 0
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for x, y in train_dl:
            opt.zero_grad(set_to_none=True)
            loss = criterion(model(x), y)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            ema_update(ema, model, decay=min(0.95, (1 + step) / (10 + step)))
            total += loss.item() * len(y)
        print(f"epoch {epoch + 1} train loss {total / len(train_ds):.4f} "
              f"val acc {accuracy(model, val_dl):.4f} (ema {accuracy(ema, val_dl):.4f})")

    path = os.path.join(tempfile.gettempdir(), "vine_leafnet_ema.pt")
    torch.save(ema, path)
    shipped = torch.load(path, weights_only=False)
    print(f"final val accuracy (shipped EMA model): {accuracy(shipped, val_dl):.4f}")


if __name__ == "__main__":
    main()
