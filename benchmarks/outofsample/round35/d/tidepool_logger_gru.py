"""Rocky-shore survey: place a tide pool on the shore from two days of its logger trace.

Each pool has a small logger (water temperature, conductivity, dissolved oxygen) sampling every
15 minutes; 144 samples cover a day and a half, about three tides.  Pools high on the shore are cut off
from the sea for hours, so they warm, freshen in rain, and swing in oxygen between photosynthesis
and night-time respiration; low pools are flushed at every tide.  The survey wants the shore band
(splash, upper, mid, lower) for pools whose height was never levelled.
GRU over the whole trace with gradient clipping, OneCycle LR stepped per batch, and a validation
loss summed over batches and divided by the number of pools.
"""
import argparse
import math

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def pool_trace(band, rng, T=144):
    t = np.arange(T) * 0.25                                      # hours
    period = 12.42
    phase = rng.uniform(0, period)
    tide = np.cos(2 * np.pi * (t + phase) / period)              # +1 high water
    height = [0.95, 0.6, 0.25, -0.1][band] + rng.normal(0, 0.07)
    submerged = tide > height                                     # flushed by the sea
    sun = np.clip(np.sin(2 * np.pi * (t - 6 + rng.normal(0, 0.5)) / 24), 0, None)
    sea_temp, air = rng.normal(13, 0.6), rng.normal(17, 2.0)
    temp = np.empty(T); cond = np.empty(T); oxy = np.empty(T)
    temp[0], cond[0], oxy[0] = sea_temp, 50.0, 8.0
    rain = rng.random(T) < 0.01
    for i in range(1, T):
        if submerged[i]:
            temp[i] = temp[i - 1] + 0.5 * (sea_temp - temp[i - 1])
            cond[i] = cond[i - 1] + 0.5 * (50 - cond[i - 1])
            oxy[i] = oxy[i - 1] + 0.5 * (8 - oxy[i - 1])
        else:
            temp[i] = temp[i - 1] + 0.05 * (air + 6 * sun[i] - temp[i - 1])
            cond[i] = cond[i - 1] + 0.02 * sun[i] - (6.0 if rain[i] else 0.0)
            oxy[i] = oxy[i - 1] + 0.25 * sun[i] - 0.08
    X = np.stack([temp + rng.normal(0, 0.1, T), cond + rng.normal(0, 0.3, T),
                  np.clip(oxy, 0, None) + rng.normal(0, 0.15, T)], 1)
    return X


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--max-lr", type=float, default=1e-2)
    parser.add_argument("--clip", type=float, default=1.0)
    args = parser.parse_args()

    torch.manual_seed(8)
    torch.set_num_threads(1)
    rng = np.random.default_rng(8)
    y = rng.integers(0, 4, 1500)
    X = np.stack([pool_trace(b, rng) for b in y]).astype(np.float32)
    tr, va = np.arange(1200), np.arange(1200, 1500)
    mu = X[tr].reshape(-1, 3).mean(0)
    sd = X[tr].reshape(-1, 3).std(0)
    X = (X - mu) / sd

    train_dl = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
                          batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=100)

    class ShoreGRU(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(3, 48, batch_first=True)
            self.out = nn.Linear(2 * 48, 4)

        def forward(self, x):
            h, last = self.gru(x)
            return self.out(torch.cat([last[-1], h.mean(1)], 1))

    model = ShoreGRU()
    opt = torch.optim.AdamW(model.parameters(), lr=args.max_lr, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.max_lr, epochs=args.epochs,
                                                steps_per_epoch=len(train_dl), pct_start=0.25)

    for epoch in range(1, args.epochs + 1):
        model.train()
        tot = 0.0
        for xb, yb in train_dl:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            sched.step()
            tot += loss.item() * len(yb)

        model.eval()
        val_loss, correct = 0.0, 0
        with torch.no_grad():
            for xb, yb in val_dl:
                out = model(xb)
                val_loss += F.cross_entropy(out, yb, reduction="sum").item()
                correct += (out.argmax(1) == yb).sum().item()
        val_loss /= len(val_dl.dataset)
        acc = correct / len(val_dl.dataset)
        print(f"epoch {epoch:2d}  lr {sched.get_last_lr()[0]:.2e}  train_loss {tot / len(tr):.4f}  "
              f"val_loss {val_loss:.4f}  val_acc {acc:.4f}")
    print(f"final val_loss={val_loss:.4f} val_acc={acc:.4f}")


if __name__ == "__main__":
    main()
