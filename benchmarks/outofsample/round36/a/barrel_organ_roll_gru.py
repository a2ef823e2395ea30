"""Barrel-organ restoration: which tune is this (worn) pinned roll?

The restorer's optical reader scans a roll as 8 key channels sampled along its
length. Rolls are read from wherever the reader was started, at slightly
different feed speeds, and old rolls have lost pins and gained stray holes.
A GRU reads the whole scan; training uses warm-up then cosine decay per step,
routine gradient clipping, and an EMA copy of the weights that is the model
we keep (saved whole with torch.save).
"""
import copy
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_TUNES = 12
KEYS = 8
SCAN = 96


def make_tunes(rng):
    tunes = []
    for _ in range(N_TUNES):
        key_pref = rng.dirichlet(np.full(KEYS, 0.8))      # each tune sits in its own register
        beat = rng.choice([2, 3, 4])
        bars = []
        for _ in range(12):
            bar = np.zeros((KEYS, 16))
            for s in range(0, 16, beat):
                bar[rng.choice(KEYS, rng.choice([1, 2]), replace=False, p=key_pref), s] = 1
            bars.append(bar)
        order = rng.choice(12, 24)
        tunes.append(np.concatenate([bars[o] for o in order], axis=1))
    return tunes


def scan_rolls(tunes, n, rng):
    X = np.zeros((n, SCAN, KEYS), dtype=np.float32)
    y = rng.integers(0, N_TUNES, n)
    for i, t in enumerate(y):
        roll = tunes[t]
        speed = rng.uniform(0.97, 1.03)
        start = rng.integers(0, roll.shape[1])
        pos = (start + np.arange(SCAN) * speed).astype(int) % roll.shape[1]
        s = roll[:, pos].T.copy()
        s[(s == 1) & (rng.random(s.shape) < 0.2)] = 0
        s[(s == 0) & (rng.random(s.shape) < 0.04)] = 1
        X[i] = s
    return X, y


class RollReader(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.inp = nn.Linear(KEYS, hidden)
        self.gru = nn.GRU(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, N_TUNES)

    def forward(self, x):
        h, _ = self.gru(torch.relu(self.inp(x)))
        return self.out(h.mean(dim=1))


def warmup_cosine(warmup, total, floor=0.05):
    def f(step):
        if step < warmup:
            return (step + 1) / warmup
        p = (step - warmup) / max(1, total - warmup)
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p))
    return f


@torch.no_grad()
def accuracy(model, loader):
    model.eval()
    correct = total = 0
    for x, y in loader:
        correct += (model(x).argmax(1) == y).sum().item()
        total += len(y)
    return correct / total


def main():
    torch.manual_seed(23)
    rng = np.random.default_rng(23)
    tunes = make_tunes(rng)
    X_tr, y_tr = scan_rolls(tunes, 1024, rng)
    X_va, y_va = scan_rolls(tunes, 320, rng)
    train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)), batch_size=32, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=160)

    model = RollReader()
    ema = copy.deepcopy(model).requires_grad_(False)
    epochs = 8
    opt = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(40, epochs * len(train_dl)))

    for epoch in range(epochs):
        model.train()
        running = 0.0
        for x, y in train_dl:
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(0.98).add_(pm, alpha=0.02)
            running += loss.item() * len(y)
        print(f"epoch {epoch + 1}  train loss {running / len(train_dl.dataset):.4f}  "
              f"val acc {accuracy(model, val_dl):.3f}  ema val acc {accuracy(ema, val_dl):.3f}  lr {sched.get_last_lr()[0]:.2e}")

    path = os.path.join(tempfile.gettempdir(), "roll_reader_ema.pt")
    torch.save(ema, path)
    kept = torch.load(path, weights_only=False)
    print(f"final val_acc {accuracy(model, val_dl):.4f}  ema_val_acc {accuracy(kept, val_dl):.4f}")


if __name__ == "__main__":
    main()
