"""Checkup spec: bidirectional GRU that estimates a tone's frequency from a noisy, clipped recording.

48 samples per recording, random phase, amplitude and DC offset, hard-clipped at
+-1 like an overdriven input stage; the target is the frequency in cycles per
window, standardised. AdamW with linear warm-up over the first 50 batches.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def recordings(n, rng, T=48):
    t = np.arange(T) / T
    f = rng.uniform(2.0, 9.0, n)
    x = (rng.uniform(0.6, 1.6, (n, 1)) * np.sin(2 * np.pi * f[:, None] * t + rng.uniform(0, 2 * np.pi, (n, 1)))
         + rng.normal(0, 0.2, (n, 1)) + 0.25 * rng.standard_normal((n, T)))
    return np.clip(x, -1, 1).astype(np.float32)[..., None], f.astype(np.float32)


class FreqGRU(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(nn.Linear(4 * hidden, 32), nn.SiLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(torch.cat([out.mean(1), out.amax(1)], dim=1))


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(42)
    x_tr, f_tr = recordings(1200, rng)
    x_va, f_va = recordings(500, rng)
    mu, sd = f_tr.mean(), f_tr.std()
    y = lambda f: torch.tensor((f - mu) / sd).unsqueeze(1)
    return nndoctor.Setup(
        model=FreqGRU(),
        train=(torch.tensor(x_tr), y(f_tr)),
        val=(torch.tensor(x_va), y(f_va)),
        loss=nn.SmoothL1Loss(beta=0.5),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-3),
        scheduler=lambda opt, n: torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 50)),
        batch_size=32,
    )
