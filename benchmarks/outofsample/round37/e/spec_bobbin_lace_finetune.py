"""Checkup spec: stitch type from bobbin thread-tension traces, fine-tuned to a new lace pillow.

A 1-D CNN was trained on many traces from the workshop's instrumented pillow A (done inside
setup() here, as the pre-training job does). Pillow B has different pins and bobbin weights,
so traces are offset and stretched, and only 240 labelled traces exist. We fine-tune: the
first conv block stays frozen (requires_grad False), the rest trains with a small learning rate
(3e-4 with Adam) so the pre-trained features are not destroyed.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
import nndoctor

STITCHES = ["cloth", "half", "whole", "twist_pair", "plait"]
L = 64


def traces(n, rng, gain=1.0, speed=1.0, offset=0.0):
    y = rng.integers(0, 5, n)
    t = np.linspace(0, 1, L) * speed
    base = np.zeros((n, L))
    for k in range(5):
        f = 2 + k                                     # crossing rhythm per stitch
        extra = 0.5 * np.sign(np.sin(np.pi * f * t)) if k % 2 else 0.3 * np.cos(6 * np.pi * t)
        base[y == k] = np.sin(2 * np.pi * f * t) + extra
    x = gain * base * rng.uniform(0.7, 1.3, (n, 1)) + offset + rng.normal(0, 0.45, (n, L))
    x = x + 0.3 * rng.normal(0, 1, (n, 1))            # per-trace load-cell zero drift
    return torch.tensor(x[:, None, :], dtype=torch.float32), torch.tensor(y)


class StitchNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.block1 = nn.Sequential(nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2))
        self.block2 = nn.Sequential(nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2))
        self.head = nn.Sequential(nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(32, 5))

    def forward(self, x):
        return self.head(self.block2(self.block1(x)))


def pretrain(model, x, y, epochs=6):
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(x))
        for s in range(0, len(x), 64):
            b = perm[s:s + 64]
            opt.zero_grad()
            F.cross_entropy(model(x[b]), y[b]).backward()
            opt.step()
    return model


def data():
    rng = np.random.default_rng(41)
    xa, ya = traces(3000, rng)                                        # pillow A
    xb, yb = traces(640, rng, gain=0.8, speed=1.08, offset=0.25)     # pillow B
    return (xa, ya), (xb[:240], yb[:240]), (xb[240:], yb[240:])


def setup():
    torch.manual_seed(41)
    (xa, ya), train_b, val_b = data()
    mu, sd = xa.mean(), xa.std()                                      # keep pillow A's input scaling
    model = pretrain(StitchNet(), (xa - mu) / sd, ya)
    for p in model.block1.parameters():
        p.requires_grad_(False)
    norm = lambda t: ((t[0] - mu) / sd, t[1])
    return nndoctor.Setup(
        model=model,
        train=norm(train_b),
        val=norm(val_b),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam([p for p in params if p.requires_grad], lr=3e-4),
        batch_size=16,
    )


if __name__ == "__main__":
    torch.manual_seed(41)
    (xa, ya), (xb, yb), (xv, yv) = data()
    mu, sd = xa.mean(), xa.std()
    m = pretrain(StitchNet(), (xa - mu) / sd, ya)
    m.eval()
    with torch.no_grad():
        print("pre-trained model on pillow B val before fine-tuning:",
              (m((xv - mu) / sd).argmax(1) == yv).float().mean().item())
