"""Classifying engraved symbols cut from scanned 19th-century estate maps.

20x20 greyscale tiles of hand-engraved symbols: church, windmill, well, milestone, quarry,
footbridge, sheepfold. Engravers differ, scans are skewed and foxed. A small CNN with random-shift
augmentation (no flips), label smoothing, an EMA copy of the weights (copy.deepcopy) that
is the model we keep: saved whole with torch.save and reloaded for the test pass.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SYMBOLS = ["church", "windmill", "well", "milestone", "quarry", "footbridge", "sheepfold"]
S = 20


def draw(sym, rng):
    img = np.zeros((S, S), np.float32)
    cx, cy = rng.integers(8, 12), rng.integers(8, 12)
    r = rng.integers(3, 6)
    yy, xx = np.mgrid[:S, :S]
    if sym == 0:      # church: cross on a square
        img[cy - 1:cy + r, cx - r:cx + r] = 1
        img[cy - r - 3:cy - 1, cx] = 1
        img[cy - r - 2, cx - 1:cx + 2] = 1
    elif sym == 1:    # windmill: X of sails over a dot
        for d in range(-r - 1, r + 2):
            for x, y in ((cx + d, cy + d), (cx + d, cy - d)):
                if 0 <= x < S and 0 <= y < S:
                    img[y, x] = 1
        img[cy - 1:cy + 2, cx - 1:cx + 2] = 1
    elif sym == 2:    # well: ring
        d = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)
        img[(d > r - 1) & (d < r + 0.6)] = 1
    elif sym == 3:    # milestone: small filled rounded block
        d = np.sqrt((yy - cy) ** 2 / 4 + (xx - cx) ** 2)
        img[d < r * 0.6] = 1
    elif sym == 4:    # quarry: hachured arc
        d = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)
        img[(d > r) & (d < r + 1.2) & (yy <= cy)] = 1
        for k in range(-r, r + 1, 2):
            img[cy - 2:cy, np.clip(cx + k, 0, S - 1)] = 1
    elif sym == 5:    # footbridge: two parallel lines with end ticks
        img[cy - 2, cx - r - 2:cx + r + 2] = 1
        img[cy + 2, cx - r - 2:cx + r + 2] = 1
        img[cy - 3:cy + 4, np.clip(cx - r - 2, 0, S - 1)] = 1
        img[cy - 3:cy + 4, np.clip(cx + r + 1, 0, S - 1)] = 1
    else:             # sheepfold: open square
        img[cy - r, cx - r:cx + r] = 1
        img[cy + r - 1, cx - r:cx + r] = 1
        img[cy - r:cy + r, cx - r] = 1
    if rng.random() < 0.5:  # engraver's heavier line
        img = np.maximum(img, np.roll(img, 1, axis=1))
    img *= rng.uniform(0.6, 1.0)
    img += 0.15 * rng.random() * (xx / S)                 # foxing gradient
    img += rng.normal(0, 0.45, (S, S))
    lines = rng.integers(0, 3)                              # map lines crossing the tile
    for _ in range(lines):
        row = rng.integers(0, S)
        img[row, :] += 0.5
    return img


def make_set(n, rng):
    y = rng.integers(0, len(SYMBOLS), n)
    X = np.stack([draw(s, rng) for s in y])[:, None]
    return torch.tensor(X), torch.tensor(y)


class SymbolNet(nn.Module):
    def __init__(self, n_classes=len(SYMBOLS)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 48, 3, padding=1), nn.BatchNorm2d(48), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(48 * 5 * 5, n_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def augment(x):
    # random translation by up to 2 px; symbols are orientation-specific, so no flips
    dx, dy = np.random.randint(-2, 3, 2)
    return torch.roll(x, shifts=(int(dy), int(dx)), dims=(2, 3))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


def main():
    torch.manual_seed(21)
    np.random.seed(21)
    rng = np.random.default_rng(21)
    Xtr, ytr = make_set(1600, rng)
    Xte, yte = make_set(600, rng)
    mean, std = Xtr.mean(), Xtr.std()
    Xtr, Xte = (Xtr - mean) / std, (Xte - mean) / std

    model = SymbolNet()
    ema = copy.deepcopy(model)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=5e-4)
    crit = nn.CrossEntropyLoss(label_smoothing=0.1)
    epochs, bs = 9, 64
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        running = 0.0
        for i in range(0, len(perm), bs):
            idx = perm[i:i + bs]
            loss = crit(model(augment(Xtr[idx])), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            ema_update(ema, model, decay=0.98)
            running += loss.item() * len(idx)
        sched.step()
        print(f"epoch {epoch + 1} train loss {running / len(Xtr):.4f}")

    path = os.path.join(tempfile.gettempdir(), "map_symbols_ema.pt")
    torch.save(ema, path)
    kept = torch.load(path, weights_only=False)
    kept.eval()
    with torch.no_grad():
        logits = kept(Xte)
    acc = (logits.argmax(1) == yte).float().mean().item()
    nll = F.cross_entropy(logits, yte).item()
    print(f"final test acc {acc:.4f} test nll {nll:.4f}")


if __name__ == "__main__":
    main()
