"""Bearing / gearbox condition classifier from vibration spectra.

Each sample is one accelerometer capture summarised as log energy in 48
frequency bands. Six machine states: healthy, inner-race, outer-race, ball
defect, misalignment, gear-tooth wear. The update is written out by hand
(plain SGD), as in our embedded training notebook.
"""
import math

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

N_BANDS = 48
STATES = ["healthy", "inner", "outer", "ball", "misalign", "gear"]


def captures(n, rng):
    f = np.arange(N_BANDS)
    y = rng.integers(0, len(STATES), n)
    rpm = rng.uniform(900, 3000, n)
    shaft = rpm / 60.0 / 8.0                       # band index of 1x running speed
    base = -0.04 * f[None, :] + rng.normal(0, 0.25, (n, 1))
    spec = np.repeat(base, 1, axis=0)
    def bump(center, width, gain, mask):
        spec[mask] += gain * np.exp(-0.5 * ((f[None, :] - center[mask, None]) / width) ** 2)
    bump(shaft, 0.8, 1.0, np.ones(n, bool))
    bump(shaft * 5.4, 1.2, 1.3, y == 1)            # BPFI
    bump(shaft * 3.6, 1.2, 1.3, y == 2)            # BPFO
    bump(shaft * 2.3, 1.0, 1.1, y == 3)            # BSF
    bump(shaft * 2.0, 0.8, 1.2, y == 4)            # 2x running speed
    bump(np.full(n, 36.0) + shaft * 0.1, 2.5, 1.0, y == 5)   # mesh frequency sidebands
    spec += rng.normal(0, 0.25, spec.shape)
    feats = np.column_stack([spec, np.log(rpm)])
    return feats.astype(np.float32), y


def build_model(d_in, n_classes, hidden=64, depth=4):
    act = nn.ReLU
    layers, width = [], d_in
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), act()]
        width = hidden
    layers.append(nn.Linear(width, n_classes))
    return nn.Sequential(*layers)


def main():
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    X, y = captures(6000, rng)
    split = 5000
    mu, sd = X[:split].mean(0), X[:split].std(0)
    X = (X - mu) / sd
    X_tr, y_tr = torch.from_numpy(X[:split]), torch.from_numpy(y[:split])
    X_va, y_va = torch.from_numpy(X[split:]), torch.from_numpy(y[split:])

    model = build_model(X.shape[1], len(STATES))
    lr, wd, batch_size, epochs = 0.1, 5e-4, 32, 15
    steps_per_epoch = math.ceil(split / batch_size)

    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(split)
        total = 0.0
        for i in range(steps_per_epoch):
            idx = perm[i * batch_size:(i + 1) * batch_size]
            logits = model(X_tr[idx])
            loss = F.cross_entropy(logits, y_tr[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * (p.grad + wd * p)
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            va_logits = model(X_va)
            va_loss = F.cross_entropy(va_logits, y_va).item()
            va_acc = (va_logits.argmax(1) == y_va).float().mean().item()
        if epoch % 3 == 2:
            print(f"epoch {epoch + 1:2d} train_loss {total / split:.4f} "
                  f"val_loss {va_loss:.4f} val_acc {va_acc:.4f}")
    print(f"final val_acc {va_acc:.4f} val_loss {va_loss:.4f}")


if __name__ == "__main__":
    main()
