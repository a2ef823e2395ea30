"""Colony state from in-hive microphone recordings: queenright, queenless, pre-swarm.

Each sample is 120 frames (about 12 s) of 16 log-mel band energies from a hive
microphone. Queenless colonies "roar" (a broad rise around 400-500 Hz bands), a
colony preparing to swarm produces intermittent piping bursts high in the spectrum
late in the clip. A GRU reads the whole clip; the routine: warm-up then cosine decay
(LambdaLR), gradient-norm clipping at 1.0, label smoothing, early stopping on
validation loss with the best weights restored.
"""
import copy
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(41)
rng = np.random.default_rng(41)

T, BANDS, CLASSES = 120, 16, ["queenright", "queenless", "pre_swarm"]


def hive_clips(n):
    y = rng.integers(0, 3, n)
    t = np.arange(T)[:, None]
    band = np.arange(BANDS)[None, :]
    X = np.empty((n, T, BANDS), np.float32)
    for i in range(n):
        fund = rng.uniform(4.0, 6.0)                         # colony hum centre band
        hum = 1.5 * np.exp(-0.5 * ((band - fund) / 1.5) ** 2)
        breath = 0.3 * np.sin(2 * np.pi * t / rng.uniform(30, 60) + rng.uniform(0, 6))
        clip = hum * (1 + breath) + rng.normal(0, 0.35, (T, BANDS))
        clip += rng.uniform(-0.5, 0.5)                       # microphone gain
        if y[i] == 1:                                        # queenless roar
            clip += 0.3 * np.exp(-0.5 * ((band - (fund + 3)) / 1.2) ** 2)
        elif y[i] == 2:                                      # piping bursts, late in the clip
            for _ in range(rng.integers(1, 3)):
                start = rng.integers(T // 2, T - 8)
                clip[start:start + rng.integers(2, 5), 11:14] += rng.uniform(0.45, 0.9)
        if rng.random() < 0.3:                               # wind / traffic noise anywhere
            start = rng.integers(0, T - 20)
            clip[start:start + 20, :4] += rng.uniform(0.5, 1.5)
        X[i] = clip
    return X, y


class HiveGRU(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.norm = nn.LayerNorm(BANDS)
        self.gru = nn.GRU(BANDS, hidden, batch_first=True)
        self.out = nn.Linear(2 * hidden, len(CLASSES))

    def forward(self, x):
        h, last = self.gru(self.norm(x))
        pooled = torch.cat([last[-1], h.max(dim=1).values], dim=1)
        return self.out(pooled)


def main():
    X, y = hive_clips(1100)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    X_tr, y_tr, X_va, y_va = X[:800], y[:800], X[800:], y[800:]

    model = HiveGRU()
    opt = torch.optim.Adam(model.parameters(), lr=4e-3)
    batch, max_epochs, patience = 32, 12, 3
    steps_per_epoch = math.ceil(len(X_tr) / batch)
    total, warm = max_epochs * steps_per_epoch, steps_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm))))

    best, best_state, bad = float("inf"), None, 0
    for epoch in range(max_epochs):
        model.train()
        perm = torch.randperm(len(X_tr))
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx], label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()

        model.eval()
        with torch.no_grad():
            logits = model(X_va)
            val_loss = F.cross_entropy(logits, y_va).item()
            val_acc = (logits.argmax(1) == y_va).float().mean().item()
        print(f"epoch {epoch + 1:2d}  val loss {val_loss:.4f}  val acc {val_acc:.4f}")
        if val_loss < best - 1e-4:
            best, best_state, bad = val_loss, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad >= patience:
                print(f"early stop at epoch {epoch + 1}")
                break

    model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        acc = (model(X_va).argmax(1) == y_va).float().mean().item()
    print(f"final val accuracy {acc:.4f} (best val loss {best:.4f})")


if __name__ == "__main__":
    main()
