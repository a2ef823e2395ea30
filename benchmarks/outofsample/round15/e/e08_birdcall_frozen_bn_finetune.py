"""Bird-call classification at a new recording site, transferred from a large call-type archive.

Stage 1 trains a small CNN on 8 generic call shapes (plenty of data). Stage 2 adapts it to 4 species
recorded at a new site with 30 labelled clips each and a different recorder (gain, noise floor).
With batches of 8, BatchNorm statistics from the archive are kept (BN layers held in eval mode while
the rest trains), the stem stays frozen, and the backbone gets 10x less LR than the new head.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(17)
rng = np.random.default_rng(17)
NF, NT = 32, 40
tt = np.arange(NT)


def paint(spec, f_of_t, t0, t1, amp=1.0, harmonics=1):
    ff = np.arange(NF)[:, None]
    for t in range(max(t0, 0), min(t1, NT)):
        f = f_of_t(t)
        for h in range(1, harmonics + 1):
            if h * f < NF:
                spec[:, t] += amp / h * np.exp(-0.5 * ((ff[:, 0] - h * f) / 0.8) ** 2)


def call(kind, rng, gain=1.0, noise=0.45):
    s = np.zeros((NF, NT))
    t0 = rng.integers(0, 8)
    d = rng.integers(18, 30)
    f0 = rng.uniform(6, 12)
    if kind == "up":
        paint(s, lambda t: f0 + 0.5 * (t - t0), t0, t0 + d)
    elif kind == "down":
        paint(s, lambda t: f0 + 12 - 0.5 * (t - t0), t0, t0 + d)
    elif kind == "flat":
        paint(s, lambda t: f0 + 6, t0, t0 + d)
    elif kind == "trill":
        paint(s, lambda t: f0 + 6 + 3 * np.sin(1.3 * t), t0, t0 + d)
    elif kind == "two_note":
        paint(s, lambda t: f0 + 10, t0, t0 + 8); paint(s, lambda t: f0 + 3, t0 + 12, t0 + 20)
    elif kind == "stack":
        paint(s, lambda t: f0 / 1.5, t0, t0 + d, harmonics=4)
    elif kind == "series":
        for k in range(4):
            paint(s, lambda t, k=k: f0 + 12 - 2 * k - 0.4 * (t - t0 - 8 * k), t0 + 8 * k, t0 + 8 * k + 4)
    elif kind == "clicks":
        for k in range(0, d, 5):
            s[:, min(t0 + k, NT - 1)] += rng.uniform(0.5, 1.0)
    # target-site species: combinations of the archive's primitives
    elif kind == "hook":
        paint(s, lambda t: f0 + 0.8 * (t - t0) if t < t0 + 10 else f0 + 8 - 0.8 * (t - t0 - 10), t0, t0 + 20)
    elif kind == "harmonic_trill":
        paint(s, lambda t: f0 / 1.4 + 2 * np.sin(1.6 * t), t0, t0 + d, harmonics=3)
    elif kind == "double_down":
        paint(s, lambda t: f0 + 12 - 0.8 * (t - t0), t0, t0 + 10)
        paint(s, lambda t: f0 + 12 - 0.8 * (t - t0 - 14), t0 + 14, t0 + 24)
    elif kind == "long_flat_harm":
        paint(s, lambda t: f0 / 1.3 + 1, 0, NT, amp=0.7, harmonics=2)
    s = gain * s + noise * rng.random((NF, NT)) + 0.05 * rng.random((NF, 1))
    return np.log1p(8 * s).astype(np.float32)


def dataset(kinds, n_per, rng, **kw):
    x = np.stack([call(k, rng, **kw) for k in kinds for _ in range(n_per)])
    x = (x - x.mean(axis=(1, 2), keepdims=True)) / x.std(axis=(1, 2), keepdims=True)   # per-clip z-score
    return torch.from_numpy(x)[:, None], torch.arange(len(kinds)).repeat_interleave(n_per)


class CallNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                                 nn.MaxPool2d(2))
        self.stem = block(1, 16)
        self.body = nn.Sequential(block(16, 32), block(32, 64))
        self.head = nn.Linear(64, n_classes)

    def forward(self, x):
        return self.head(self.body(self.stem(x)).mean(dim=(2, 3)))


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


# ---------------- stage 1: archive pretraining ----------------
ARCHIVE = ["up", "down", "flat", "trill", "two_note", "stack", "series", "clicks"]
xa, ya = dataset(ARCHIVE, 150, rng)
xa_val, ya_val = dataset(ARCHIVE, 30, rng)
net = CallNet(len(ARCHIVE))
opt = torch.optim.Adam(net.parameters(), lr=2e-3)
for epoch in range(4):
    net.train()
    perm = torch.randperm(len(ya))
    for i in range(0, len(perm), 64):
        b = perm[i:i + 64]
        opt.zero_grad()
        F.cross_entropy(net(xa[b]), ya[b]).backward()
        opt.step()
print(f"archive call-type accuracy {accuracy(net, xa_val, ya_val):.4f}")

# ---------------- stage 2: new site, few labels ----------------
SITE = ["hook", "harmonic_trill", "double_down", "long_flat_harm"]
xs, ys = dataset(SITE, 30, rng, gain=0.4, noise=0.5)
xs_val, ys_val = dataset(SITE, 60, rng, gain=0.4, noise=0.5)

model = copy.deepcopy(net)
model.head = nn.Linear(64, len(SITE))
for p in model.stem.parameters():
    p.requires_grad_(False)
optimizer = torch.optim.Adam([
    {"params": model.body.parameters(), "lr": 1e-4},
    {"params": model.head.parameters(), "lr": 1e-3},
])


def set_train_mode(m):
    m.train()
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.eval()


for epoch in range(1, 16):
    set_train_mode(model)
    perm = torch.randperm(len(ys))
    for i in range(0, len(perm), 8):
        b = perm[i:i + 8]
        loss = F.cross_entropy(model(xs[b]), ys[b])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    acc = accuracy(model, xs_val, ys_val)
    if epoch % 3 == 0:
        print(f"site epoch {epoch:2d}  loss {loss.item():.4f}  val acc {acc:.4f}")

print(f"FINAL site val_acc={accuracy(model, xs_val, ys_val):.4f} (chance {1 / len(SITE):.4f})")
