"""Galaxy morphology from 28x28 survey cutouts: elliptical / spiral / edge-on disk / merger.

Orientation carries no class information, so training uses random flips and 90-degree
rotations; the weights are tracked with an exponential moving average and the EMA copy is
what gets saved and evaluated.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

MORPH = ["elliptical", "spiral", "edge_on", "merger"]
S = 28


def render(kind, rng):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    cx, cy = S / 2 + rng.normal(0, 1.2, 2)
    th = rng.uniform(0, np.pi)
    dx, dy = xx - cx, yy - cy
    u = dx * np.cos(th) + dy * np.sin(th)
    v = -dx * np.sin(th) + dy * np.cos(th)
    if kind == 0:
        q = rng.uniform(0.55, 1.0)
        img = np.exp(-(u ** 2 + (v / q) ** 2) / (2 * rng.uniform(2.5, 4.5) ** 2))
    elif kind == 1:
        r = np.sqrt(u ** 2 + v ** 2) + 1e-3
        phi = np.arctan2(v, u)
        pitch = rng.uniform(0.25, 0.45)
        arms = np.cos(2 * (phi - np.log(r) / pitch)) * np.exp(-r / rng.uniform(4, 6))
        img = 0.6 * np.exp(-r ** 2 / 6.0) + 0.5 * np.clip(arms, 0, None)
    elif kind == 2:
        h = rng.uniform(0.9, 1.6)
        img = np.exp(-(u ** 2) / (2 * rng.uniform(5, 7) ** 2) - (v ** 2) / (2 * h ** 2))
        img *= 1 - 0.5 * np.exp(-(v ** 2) / 0.3)
    else:
        sep = rng.uniform(4, 7)
        a = np.exp(-((u - sep / 2) ** 2 + v ** 2) / (2 * 2.2 ** 2))
        b = rng.uniform(0.5, 1.0) * np.exp(-((u + sep / 2) ** 2 + (v - 1) ** 2) / (2 * 1.8 ** 2))
        tail = 0.25 * np.exp(-((v - 0.4 * u) ** 2) / 2.0 - (u ** 2) / 60.0)
        img = a + b + tail
    img = img * rng.uniform(0.7, 1.3) + rng.normal(0, 0.08, (S, S))
    return img.astype(np.float32)


def make_survey(n, rng):
    y = rng.integers(0, 4, n)
    X = np.stack([render(k, rng) for k in y])[:, None]
    return X, y.astype(np.int64)


class MorphCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 48, 3, padding=1)
        self.bn3 = nn.BatchNorm2d(48)
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(48, len(MORPH))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.bn3(self.conv3(x)))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(self.dropout(x))


def augment(x):
    if torch.rand(()) < 0.5:
        x = x.flip(-1)
    if torch.rand(()) < 0.5:
        x = x.flip(-2)
    return torch.rot90(x, int(torch.randint(0, 4, ())), dims=(-2, -1))


@torch.no_grad()
def ema_update(ema, model, decay):
    for e, p in zip(ema.parameters(), model.parameters()):
        e.mul_(decay).add_(p.detach(), alpha=1 - decay)
    for e, b in zip(ema.buffers(), model.buffers()):
        e.copy_(b)


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    return correct / total


def main():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    X, y = make_survey(3000, rng)
    mean, std = X[:2400].mean(), X[:2400].std()
    X = (X - mean) / std
    train_loader = DataLoader(TensorDataset(torch.from_numpy(X[:2400]), torch.from_numpy(y[:2400])),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X[2400:]), torch.from_numpy(y[2400:])),
                            batch_size=300)

    model = MorphCNN()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)

    step = 0
    for epoch in range(1, 9):
        model.train()
        for xb, yb in train_loader:
            xb = augment(xb)
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
            step += 1
            ema_update(ema, model, decay=min(0.99, (1 + step) / (10 + step)))
        print(f"epoch {epoch}: last loss {loss.item():.4f}  val acc {evaluate(model, val_loader):.4f}  "
              f"ema val acc {evaluate(ema, val_loader):.4f}")

    path = os.path.join(tempfile.mkdtemp(), "morph_ema.pt")
    torch.save(ema, path)
    restored = torch.load(path, weights_only=False)
    print(f"final val accuracy (EMA, reloaded) {evaluate(restored, val_loader):.4f}")


if __name__ == "__main__":
    main()
