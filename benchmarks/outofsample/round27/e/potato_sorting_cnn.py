"""Potato grading line: classify 24x24 RGB crops from the sorting-belt camera into
good / greening / common scab / growth crack / sprouting.

Small BatchNorm CNN, flip/rot90 augmentation on the fly, label smoothing and a
one-cycle LR schedule stepped per batch (as OneCycleLR is meant to be used).
"""
import math
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(7)
np.random.seed(7)

CLASSES = ["good", "greening", "scab", "crack", "sprout"]
S = 24


def render_tuber(rng, label):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    cx, cy = S / 2 + rng.normal(0, 1.5), S / 2 + rng.normal(0, 1.5)
    ax, ay = rng.uniform(7, 10), rng.uniform(5, 8)
    th = rng.uniform(0, math.pi)
    dx, dy = xx - cx, yy - cy
    u = dx * math.cos(th) + dy * math.sin(th)
    v = -dx * math.sin(th) + dy * math.cos(th)
    body = ((u / ax) ** 2 + (v / ay) ** 2) <= 1.0
    skin = np.array([0.72, 0.58, 0.36]) + rng.normal(0, 0.04, 3)
    belt = np.array([0.15, 0.15, 0.17])
    img = np.where(body[..., None], skin, belt).astype(np.float32)
    img += rng.normal(0, 0.08, img.shape).astype(np.float32)
    if label == 1:  # greening: greenish patch on one side
        side = (u / ax) > rng.uniform(-0.1, 0.3)
        m = body & side
        img[m] = img[m] * 0.8 + np.array([0.35, 0.6, 0.25]) * 0.2
    elif label == 2:  # scab: several dark corky spots
        for _ in range(rng.integers(2, 5)):
            px, py = rng.uniform(-0.7, 0.7) * ax, rng.uniform(-0.7, 0.7) * ay
            sx = cx + px * math.cos(th) - py * math.sin(th)
            sy = cy + px * math.sin(th) + py * math.cos(th)
            spot = ((xx - sx) ** 2 + (yy - sy) ** 2) <= rng.uniform(0.8, 1.8)
            img[spot & body] = np.array([0.5, 0.38, 0.24])
    elif label == 3:  # growth crack: thin dark line through the tuber
        phi = rng.uniform(0, math.pi)
        off = rng.uniform(-2, 2)
        d = np.abs((xx - cx) * math.sin(phi) - (yy - cy) * math.cos(phi) - off)
        img[(d < 0.7) & body] = np.array([0.22, 0.16, 0.1])
    elif label == 4:  # sprouts: pale bumps on the rim
        for _ in range(rng.integers(2, 4)):
            a = rng.uniform(0, 2 * math.pi)
            px, py = ax * math.cos(a), ay * math.sin(a)
            sx = cx + px * math.cos(th) - py * math.sin(th)
            sy = cy + px * math.sin(th) + py * math.cos(th)
            img[((xx - sx) ** 2 + (yy - sy) ** 2) <= 2.2] = np.array([0.9, 0.85, 0.7])
    return np.clip(img, 0, 1)


def make_split(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(CLASSES), n)
    X = np.stack([render_tuber(rng, c) for c in y]).transpose(0, 3, 1, 2)
    return X.astype(np.float32), y.astype(np.int64)


class BeltCrops(Dataset):
    def __init__(self, X, y, mean, std, augment):
        self.X = torch.from_numpy((X - mean) / std)
        self.y = torch.from_numpy(y)
        self.augment = augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.augment:
            if torch.rand(()) < 0.5:
                x = x.flip(-1)
            x = torch.rot90(x, int(torch.randint(0, 4, ())), dims=(1, 2))
        return x, self.y[i]


class Grader(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False),
                                 nn.BatchNorm2d(cout), nn.ReLU(inplace=True))
        self.features = nn.Sequential(block(3, 16), block(16, 16), nn.MaxPool2d(2),
                                      block(16, 32), nn.MaxPool2d(2),
                                      block(32, 48), nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(48, n_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


def main():
    Xtr, ytr = make_split(1600, 1)
    Xva, yva = make_split(400, 2)
    mean = Xtr.mean(axis=(0, 2, 3), keepdims=True)[0]
    std = Xtr.std(axis=(0, 2, 3), keepdims=True)[0]
    train_loader = DataLoader(BeltCrops(Xtr, ytr, mean, std, True), batch_size=64, shuffle=True)
    val_loader = DataLoader(BeltCrops(Xva, yva, mean, std, False), batch_size=200)

    model = Grader()
    epochs = 8
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=epochs,
                                                    steps_per_epoch=len(train_loader))
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

    for epoch in range(1, epochs + 1):
        model.train()
        running = 0.0
        for data, target in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(data), target)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item() * len(target)
        model.eval()
        correct, val_loss = 0, 0.0
        with torch.no_grad():
            for data, target in val_loader:
                out = model(data)
                val_loss += F.cross_entropy(out, target, reduction="sum").item()
                correct += (out.argmax(1) == target).sum().item()
        print(f"epoch {epoch} train_loss {running / len(ytr):.4f} val_loss {val_loss / len(yva):.4f} "
              f"val_acc {correct / len(yva):.4f}")
    print(f"final val_acc {correct / len(yva):.4f}")


if __name__ == "__main__":
    main()
