"""Checkup spec: flag chimeric long-read fragments from per-base signals.

Each read is summarised over 120 positions by two tracks: the Phred base quality (scaled
/40) and the local match score to the library adapter. Chimeras (two molecules ligated
together, about 7% of reads) show an adapter-like junction with a quality dip somewhere in
the read. The positives are rare, so the logits loss weights them by the negative/positive
ratio of the training split; the decision threshold stays at 0.5 on that balanced scale.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

L = 120


def simulate_reads(n, seed=9):
    rng = np.random.default_rng(seed)
    pos = np.arange(L)[None, :]
    base_q = rng.normal(32, 3, (n, 1)) - 0.04 * pos - 6 * (pos > 105) * rng.random((n, 1))
    qual = base_q + rng.normal(0, 2.5, (n, L))
    adapter = rng.beta(1.2, 6.0, (n, L))
    chimeric = rng.random(n) < 0.07
    for i in np.flatnonzero(chimeric):
        j = rng.integers(25, 95)
        w = rng.integers(4, 9)
        adapter[i, j:j + w] += rng.uniform(0.15, 0.45)
        qual[i, j - 3:j + w + 3] -= rng.uniform(2, 6)
    # adapter-like noise spikes in clean reads, and homopolymer quality dips
    for i in np.flatnonzero(~chimeric & (rng.random(n) < 0.4)):
        j = rng.integers(5, 110)
        adapter[i, j:j + 2] += rng.uniform(0.15, 0.45)
    x = np.stack([np.clip(qual, 2, 41) / 40.0, np.clip(adapter, 0, 1)], 1).astype(np.float32)
    return x, chimeric.astype(np.float32)[:, None]


class JunctionCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(2, 24, kernel_size=7, padding=3), nn.ReLU(),
            nn.Conv1d(24, 24, kernel_size=5, padding=2), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(48, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        h = self.conv(x)
        pooled = torch.cat([h.amax(-1), h.mean(-1)], 1)   # a junction can sit anywhere
        return self.head(pooled)


def setup():
    torch.manual_seed(1)
    x, y = simulate_reads(4000)
    x_tr, y_tr, x_va, y_va = x[:3200], y[:3200], x[3200:], y[3200:]
    mu = x_tr.mean(axis=(0, 2), keepdims=True)
    sd = x_tr.std(axis=(0, 2), keepdims=True)
    x_tr, x_va = (x_tr - mu) / sd, (x_va - mu) / sd
    pos_weight = torch.tensor([(1 - y_tr.mean()) / y_tr.mean()], dtype=torch.float32)
    return nndoctor.Setup(
        model=JunctionCNN(),
        train=(torch.from_numpy(x_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(x_va), torch.from_numpy(y_va)),
        loss=nn.BCEWithLogitsLoss(pos_weight=pos_weight),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
