"""Weave pattern of rush-seat chairs from close-up photo tiles (mixup + EMA).

A restoration workshop photographs the seat of every chair that comes in; the weave
(plain checker, twill, herringbone, or the four-way 'rush' pattern) decides how much
rush to order. Tiles are 24x24 grey crops at random position, scale and lighting. The
classifier is trained with mixup, so targets are mixed class-probability vectors under
soft-target cross-entropy, and an EMA copy of the weights is the one evaluated and saved.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

WEAVES = ["checker", "twill", "herringbone", "four-way"]
S = 24


def weave_tile(kind, rng):
    period = rng.uniform(4.0, 7.0)
    u, v = np.meshgrid(np.arange(S) + rng.uniform(0, 10), np.arange(S) + rng.uniform(0, 10))
    a, b = np.floor(u / period), np.floor(v / period)
    if kind == 0:
        img = (a + b) % 2
    elif kind == 1:
        img = (np.floor((u + v) / period)) % 2
    elif kind == 2:
        img = (np.floor((u + np.abs((v % (2 * period)) - period)) / period)) % 2
    else:
        cu, cv = (u % (2 * period)) - period, (v % (2 * period)) - period
        img = (np.abs(cu) > np.abs(cv)).astype(float)
    if rng.random() < 0.5:
        img = img.T
    img = img * rng.uniform(0.5, 1.0) + rng.uniform(0.0, 0.3)
    img = img + rng.normal(0, 0.8, img.shape)
    return img.astype(np.float32)


def make_tiles(n, rng):
    y = rng.integers(0, len(WEAVES), n)
    X = np.stack([weave_tile(k, rng) for k in y])[:, None]
    return X, y


class WeaveNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 48, 3, padding=1), nn.BatchNorm2d(48), nn.ReLU(),
        )
        self.classifier = nn.Linear(48, len(WEAVES))

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))


@torch.no_grad()
def accuracy(model, loader):
    model.eval()
    correct = total = 0
    for xb, yb in loader:
        correct += (model(xb).argmax(1) == yb).sum().item()
        total += len(yb)
    return correct / total


def main():
    torch.manual_seed(21)
    rng = np.random.default_rng(21)
    X, y = make_tiles(2400, rng)
    mean, std = X[:2000].mean(), X[:2000].std()
    X = (X - mean) / std
    train = TensorDataset(torch.from_numpy(X[:2000]), torch.from_numpy(y[:2000]))
    test = TensorDataset(torch.from_numpy(X[2000:]), torch.from_numpy(y[2000:]))
    train_loader = DataLoader(train, batch_size=64, shuffle=True)
    test_loader = DataLoader(test, batch_size=200)

    model = WeaveNet()
    ema = copy.deepcopy(model)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    epochs = 8
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    beta = torch.distributions.Beta(0.4, 0.4)

    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            lam = beta.sample().item()
            perm = torch.randperm(len(xb))
            x_mix = lam * xb + (1 - lam) * xb[perm]
            target = lam * F.one_hot(yb, len(WEAVES)).float() + (1 - lam) * F.one_hot(yb[perm], len(WEAVES)).float()
            loss = F.cross_entropy(model(x_mix), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.lerp_(pm, 0.05)
                for be, bm in zip(ema.buffers(), model.buffers()):
                    be.copy_(bm)
        sched.step()
        print(f"epoch {epoch + 1}  loss {loss.item():.4f}  test_acc(ema) {accuracy(ema, test_loader):.4f}")

    torch.save(ema, os.path.join(tempfile.gettempdir(), "rush_seat_weave_ema.pt"))
    print(f"final test accuracy (ema) {accuracy(ema, test_loader):.4f}  (raw model {accuracy(model, test_loader):.4f})")


if __name__ == "__main__":
    main()
