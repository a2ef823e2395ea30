"""Rhythm classification on single-lead ECG strips (4 s at 30 Hz = 120 samples): normal sinus,
atrial fibrillation (irregular RR, no P wave), bradycardia.  A GRU over the raw strip,
linear warm-up then cosine decay per step, gradient-norm clipping as insurance, and an EMA
copy of the weights used for evaluation."""
import copy
import math
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FS, SECONDS = 30, 4


def beat(t, center, width, amp):
    return amp * np.exp(-0.5 * ((t - center) / width) ** 2)


def synth_strip(rhythm, rng):
    t = np.arange(FS * SECONDS) / FS
    x = np.zeros_like(t)
    hr = {0: rng.uniform(60, 95), 1: rng.uniform(80, 140), 2: rng.uniform(38, 55)}[rhythm]
    rr = 60.0 / hr
    pos = rng.uniform(0, rr)
    while pos < SECONDS + 0.5:
        if rhythm != 1:
            x += beat(t, pos - 0.16, 0.025, 0.15)                    # P wave
        x += beat(t, pos, 0.012, 1.0) - beat(t, pos + 0.03, 0.015, 0.25)   # QRS
        x += beat(t, pos + 0.25, 0.05, 0.3)                          # T wave
        jitter = rng.normal(0, 0.18 * rr) if rhythm == 1 else rng.normal(0, 0.02 * rr)
        pos += max(0.3, rr + jitter)
    x += 0.1 * np.sin(2 * math.pi * rng.uniform(0.1, 0.4) * t + rng.uniform(0, 6))   # baseline wander
    x += rng.normal(0, 0.04, size=t.shape)
    return x.astype(np.float32)


def make_split(n, rng):
    y = rng.integers(0, 3, n)
    X = np.stack([synth_strip(r, rng) for r in y])[:, :, None]
    return X, y


class RhythmGRU(nn.Module):
    def __init__(self, hidden=48, n_classes=3):
        super().__init__()
        self.gru = nn.GRU(1, hidden, num_layers=1, batch_first=True)
        self.head = nn.Linear(2 * hidden, n_classes)

    def forward(self, x):
        out, h = self.gru(x)
        return self.head(torch.cat([h[-1], out.mean(1)], dim=1))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)


@torch.no_grad()
def accuracy(model, loader):
    model.eval()
    hits = sum((model(x).argmax(1) == y).sum().item() for x, y in loader)
    return hits / len(loader.dataset)


def main():
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    X_tr, y_tr = make_split(1200, rng)
    X_te, y_te = make_split(400, rng)
    mu, sd = X_tr.mean(), X_tr.std()
    train_loader = DataLoader(TensorDataset(torch.from_numpy((X_tr - mu) / sd), torch.from_numpy(y_tr)),
                              batch_size=32, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy((X_te - mu) / sd), torch.from_numpy(y_te)),
                             batch_size=200)

    model = RhythmGRU()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=6e-3, weight_decay=1e-2)
    epochs = 8
    total_steps, warmup = epochs * len(train_loader), 30

    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * (1 + math.cos(math.pi * progress))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(1, epochs + 1):
        model.train()
        t0, run = time.time(), 0.0
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()
            ema_update(ema, model, decay=0.98)
            run += loss.item() * len(y)
        print(f"epoch {epoch} loss {run / len(train_loader.dataset):.4f} "
              f"acc(model) {accuracy(model, test_loader):.4f} acc(ema) {accuracy(ema, test_loader):.4f} "
              f"lr {scheduler.get_last_lr()[0]:.2e} ({time.time() - t0:.1f}s)")
    print(f"final ema test_acc {accuracy(ema, test_loader):.4f}")


if __name__ == "__main__":
    main()
