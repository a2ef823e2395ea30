"""Diagnose a sail's trim/cut fault from leech strain and deflection profiles.

64 gauges along the leech of a mainsail on the test rig, two channels (strain, deflection).
Classes: sound, tight luff, fluttering leech, slipped seam, hooked batten. A small residual 1-D
CNN with BatchNorm under AdamW and cosine decay; an exponential moving average of the weights kept as a deepcopy, saved whole
with torch.save and reloaded for scoring; validation loss summed over samples, then divided.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

POINTS = 64
CLASSES = ["sound", "tight luff", "leech flutter", "slipped seam", "hooked batten"]


def profiles(n, rng):
    s = np.linspace(0, 1, POINTS)
    y = rng.integers(0, 5, n)
    X = np.zeros((n, 2, POINTS), np.float32)
    for i in range(n):
        load = rng.uniform(0.7, 1.3)
        strain = load * (0.6 + 0.4 * np.sin(np.pi * s) + rng.normal(0, 0.02))
        defl = load * 0.5 * s ** 1.5
        if y[i] == 1:                                   # tight luff: strain shifted to the head
            strain += 0.09 * load * s ** 2
        elif y[i] == 2:                                 # flutter: ripple near the top third
            f = rng.uniform(9, 13)
            defl += 0.022 * np.sin(2 * np.pi * f * s) * (s > 0.6)
        elif y[i] == 3:                                 # slipped seam: step in strain
            c = rng.uniform(0.25, 0.75)
            strain -= 0.05 * load * (s > c)
        elif y[i] == 4:                                 # hooked batten: local bump in deflection
            c = rng.choice([0.3, 0.5, 0.7])
            defl += 0.035 * np.exp(-((s - c) / 0.04) ** 2)
        X[i, 0] = strain + rng.normal(0, 0.025, POINTS)
        X[i, 1] = defl + rng.normal(0, 0.01, POINTS)
    return X, y


class Block(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.c1 = nn.Conv1d(ch, ch, 5, padding=2, bias=False)
        self.b1 = nn.BatchNorm1d(ch)
        self.c2 = nn.Conv1d(ch, ch, 5, padding=2, bias=False)
        self.b2 = nn.BatchNorm1d(ch)

    def forward(self, x):
        h = F.relu(self.b1(self.c1(x)))
        return F.relu(x + self.b2(self.c2(h)))


class LeechNet(nn.Module):
    def __init__(self, ch=24):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(2, ch, 7, padding=3, bias=False), nn.BatchNorm1d(ch),
                                  nn.ReLU())
        self.blocks = nn.Sequential(Block(ch), Block(ch), Block(ch))
        self.pool = nn.AdaptiveAvgPool1d(8)            # keep where along the leech
        self.head = nn.Linear(ch * 8, len(CLASSES))

    def forward(self, x):
        return self.head(self.pool(self.blocks(self.stem(x))).flatten(1))


@torch.no_grad()
def ema_update(ema, model, decay, step):
    decay = min(decay, (1 + step) / (10 + step))       # warm-up of the average
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


def main():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    X, y = profiles(2000, rng)
    mu = X[:1600].mean((0, 2), keepdims=True)
    sd = X[:1600].std((0, 2), keepdims=True)
    X = (X - mu) / sd
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    train_loader = DataLoader(TensorDataset(X[:1600], y[:1600]), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(X[1600:], y[1600:]), batch_size=200)

    model = LeechNet()
    ema = copy.deepcopy(model).eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3,
                                weight_decay=1e-2)
    epochs = 12
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    criterion = nn.CrossEntropyLoss()
    sum_ce = nn.CrossEntropyLoss(reduction="sum")

    step = 0
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            ema_update(ema, model, decay=0.98, step=step)
            step += 1
        scheduler.step()
        total, correct, n = 0.0, 0, 0
        with torch.no_grad():
            for xb, yb in val_loader:
                out = ema(xb)
                total += sum_ce(out, yb).item()
                correct += (out.argmax(1) == yb).sum().item()
                n += len(yb)
        print(f"epoch {epoch + 1:2d} train loss {loss.item():.4f} EMA val loss {total / n:.4f} "
              f"EMA val acc {correct / n:.3f}")

    path = os.path.join(tempfile.mkdtemp(), "leechnet_ema.pt")
    torch.save(ema, path)
    served = torch.load(path, weights_only=False)
    served.eval()
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = served(xb)
            total += sum_ce(out, yb).item()
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    print(f"final: reloaded EMA model val accuracy {correct / n:.3f}, val CE {total / n:.4f} (chance 0.2)")


if __name__ == "__main__":
    main()
