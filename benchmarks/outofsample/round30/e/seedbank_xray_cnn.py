"""Sort seed-bank accessions from X-ray tiles: filled, empty, insect-bored, cracked.

Each 24x24 tile is one seed from a germplasm accession's X-ray plate. Seeds lie at any
orientation, so training uses flips, 90-degree rotations and small shifts as augmentation.
Small CNN with BatchNorm, SGD with Nesterov momentum, label smoothing 0.05, cosine decay.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

SIZE = 24
CLASSES = ["filled", "empty", "insect-bored", "cracked"]


def seed_tile(kind, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] - (SIZE - 1) / 2
    th = rng.uniform(0, np.pi)
    a, b = rng.uniform(7, 9.5), rng.uniform(4, 5.5)
    u = (xx * np.cos(th) + yy * np.sin(th)) / a
    v = (-xx * np.sin(th) + yy * np.cos(th)) / b
    r = u ** 2 + v ** 2
    coat = (r < 1).astype(float) * 0.5
    inner = (r < 0.6).astype(float)
    img = coat.copy()
    if kind == 0:
        img += 0.45 * inner                              # embryo and endosperm fill the seed
    elif kind == 1:
        img += 0.08 * inner                              # empty: only the coat shows
    elif kind == 2:
        img += 0.45 * inner
        cu, cv = rng.uniform(-0.4, 0.4), rng.uniform(-0.3, 0.3)
        img -= 0.5 * (((u - cu) ** 2 + (v - cv) ** 2) < 0.06) * inner   # bore hole
    else:
        img += 0.45 * inner
        phi = rng.uniform(0, np.pi)
        dist = np.abs(u * np.cos(phi) + v * np.sin(phi))
        img -= 0.4 * (dist < 0.07) * inner                # crack line across the seed
    img *= rng.uniform(0.8, 1.2)
    img += rng.normal(0, 0.08, img.shape)
    return img.astype(np.float32)


class Tiles(Dataset):
    def __init__(self, X, y, augment):
        self.X, self.y, self.augment = X, y, augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.augment:
            if torch.rand(1) < 0.5:
                x = x.flip(-1)
            x = torch.rot90(x, int(torch.randint(4, (1,))), dims=(-2, -1))
            dy, dx = torch.randint(-2, 3, (2,)).tolist()
            x = torch.roll(x, shifts=(dy, dx), dims=(-2, -1))
        return x, self.y[i]


def conv_bn(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


def main():
    torch.manual_seed(17)
    rng = np.random.default_rng(17)
    y = rng.integers(0, 4, 2000)
    X = np.stack([seed_tile(k, rng) for k in y])[:, None]
    mean, std = X[:1600].mean(), X[:1600].std()
    X = torch.from_numpy((X - mean) / std)
    y = torch.from_numpy(y)
    train_loader = DataLoader(Tiles(X[:1600], y[:1600], augment=True), batch_size=64, shuffle=True)
    val_loader = DataLoader(Tiles(X[1600:], y[1600:], augment=False), batch_size=200)

    model = nn.Sequential(conv_bn(1, 16), nn.MaxPool2d(2), conv_bn(16, 32), nn.MaxPool2d(2),
                          conv_bn(32, 48), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          nn.Linear(48, len(CLASSES)))
    criterion = nn.CrossEntropyLoss(label_smoothing=0.05)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True,
                                weight_decay=5e-4)
    epochs = 10
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)

    for epoch in range(epochs):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item()
        scheduler.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for xb, yb in val_loader:
                correct += (model(xb).argmax(1) == yb).sum().item()
        acc = correct / len(val_loader.dataset)
        print(f"epoch {epoch + 1:2d} train loss {running / len(train_loader):.4f} val acc {acc:.3f}")
    print(f"final: val accuracy {acc:.3f} (chance 0.25)")


if __name__ == "__main__":
    main()
