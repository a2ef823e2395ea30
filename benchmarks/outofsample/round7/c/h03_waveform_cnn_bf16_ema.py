"""Waveform-family classifier: 1-D CNN trained under bf16 autocast with an EMA copy.

Six generator families (sine, square, sawtooth, triangle, chirp, damped sine) with random
frequency, phase, amplitude and additive noise; 128 samples per window.
The EMA of the weights (deepcopy, decay 0.99) is what gets evaluated and saved.
"""
import copy
import os
import tempfile
import time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

FAMILIES = ["sine", "square", "sawtooth", "triangle", "chirp", "damped"]


def synth(n, length=128, seed=0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, length, endpoint=False)
    X = np.empty((n, length), np.float32); y = rng.integers(0, len(FAMILIES), n)
    for i, k in enumerate(y):
        f = rng.uniform(2, 9); ph = rng.uniform(0, 2 * np.pi); a = rng.uniform(0.5, 2.0)
        u = 2 * np.pi * f * t + ph
        if k == 0: s = np.sin(u)
        elif k == 1: s = np.sign(np.sin(u))
        elif k == 2: s = 2 * ((f * t + ph / (2 * np.pi)) % 1) - 1
        elif k == 3: s = 2 * np.abs(2 * ((f * t + ph / (2 * np.pi)) % 1) - 1) - 1
        elif k == 4: s = np.sin(2 * np.pi * (f * t + rng.uniform(3, 8) * t ** 2) + ph)
        else: s = np.exp(-rng.uniform(2, 5) * t) * np.sin(u)
        X[i] = a * s + rng.normal(0, 0.35, length)
    X /= X.std(axis=1, keepdims=True)        # per-window amplitude normalisation
    return torch.from_numpy(X).unsqueeze(1), torch.from_numpy(y)


class WaveNet1d(nn.Module):
    def __init__(self, n_classes=len(FAMILIES), c=32):
        super().__init__()
        def block(cin, cout):
            return nn.Sequential(nn.Conv1d(cin, cout, 5, padding=2), nn.BatchNorm1d(cout), nn.GELU(),
                                 nn.Conv1d(cout, cout, 5, padding=2), nn.BatchNorm1d(cout), nn.GELU(),
                                 nn.MaxPool1d(2))
        self.features = nn.Sequential(block(1, c), block(c, 2 * c), block(2 * c, 2 * c))
        self.head = nn.Linear(2 * c, n_classes)

    def forward(self, x):
        return self.head(self.features(x).mean(dim=-1))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


def evaluate(model, loader):
    model.eval(); correct = 0; loss = 0.0; n = 0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for x, y in loader:
            out = model(x).float()
            loss += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item(); n += len(y)
    return loss / n, correct / n


def main(epochs=10, batch_size=64, lr=2e-3, seed=0):
    torch.manual_seed(seed)
    X_tr, y_tr = synth(4000, seed=seed)
    X_va, y_va = synth(1000, seed=seed + 1)
    train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(X_va, y_va), batch_size=500)

    model = WaveNet1d()
    ema = copy.deepcopy(model).requires_grad_(False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(train_loader))

    for epoch in range(1, epochs + 1):
        model.train(); t0 = time.time()
        for x, y in train_loader:
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step(); scheduler.step()
            ema_update(ema, model, decay=0.99)
        vl, va = evaluate(ema, val_loader)
        print(f"epoch {epoch} train_loss {loss.item():.4f} ema_val_loss {vl:.4f} ema_val_acc {va:.4f} ({time.time()-t0:.1f}s)")

    out = os.path.join(tempfile.mkdtemp(), "wavenet1d_ema.pt")
    torch.save(ema, out)
    reloaded = torch.load(out, weights_only=False)
    print(f"final ema_val_acc {evaluate(reloaded, val_loader)[1]:.4f}")


if __name__ == "__main__":
    main()
