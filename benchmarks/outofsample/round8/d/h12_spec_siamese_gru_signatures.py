"""Checkup spec: writer-independent online-signature verification with a siamese GRU.

Synthetic pen trajectories: every writer has a smooth template path; each signature is the
template under a random time warp, rotation, scale and pen jitter.  Pairs are genuine (same
writer) or random forgeries (another writer), half each.  Validation writers never occur in
training.  The two signatures go through one shared GRU encoder (pen-velocity input, which is
standardised), and a small head on |e1 - e2| and e1 * e2 gives the same-writer logit
(BCEWithLogitsLoss).  The model takes two inputs, passed with nndoctor.Inputs.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import TensorDataset

import nndoctor

T = 48


def strokes(rng, t, amp):
    k = np.arange(1, 7)
    ax, ay = amp * rng.normal(size=6) / k, amp * rng.normal(size=6) / k
    px, py = rng.uniform(0, 2 * np.pi, 6), rng.uniform(0, 2 * np.pi, 6)
    x = (ax[:, None] * np.sin(2 * np.pi * k[:, None] * t + px[:, None])).sum(0)
    y = (ay[:, None] * np.sin(2 * np.pi * k[:, None] * t + py[:, None])).sum(0)
    return np.stack([x, y], 1)


def writer_templates(n, rng):
    """Everyone writes variations of the same name: a shared path plus a writer-specific style."""
    t = np.linspace(0, 1, 200)
    shared = strokes(rng, t, 1.0) + np.stack([3 * t, 0 * t], 1)
    return [shared + strokes(rng, t, 0.35) for _ in range(n)]


def sign(template, rng):
    s = np.linspace(0, 1, T)
    warp = s + 0.08 * np.sin(np.pi * s * rng.integers(1, 4)) * rng.normal()
    warp = np.clip(np.sort(warp), 0, 1)
    grid = np.linspace(0, 1, len(template))
    path = np.stack([np.interp(warp, grid, template[:, d]) for d in range(2)], 1)
    a = rng.normal(0, 0.15)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    path = (path @ R.T) * rng.uniform(0.85, 1.15) + rng.normal(0, 0.03, size=path.shape)
    vel = np.diff(path, axis=0, prepend=path[:1])
    return vel


def make_pairs(templates, n_pairs, rng):
    A = np.empty((n_pairs, T, 2), np.float32)
    B = np.empty((n_pairs, T, 2), np.float32)
    y = np.empty(n_pairs, np.float32)
    W = len(templates)
    for i in range(n_pairs):
        w = rng.integers(W)
        same = i % 2 == 0
        v = w if same else (w + rng.integers(1, W)) % W
        A[i], B[i], y[i] = sign(templates[w], rng), sign(templates[v], rng), float(same)
    perm = rng.permutation(n_pairs)
    return A[perm], B[perm], y[perm]


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    temps = writer_templates(120, rng)
    Atr, Btr, ytr = make_pairs(temps[:90], 4000, rng)
    Ava, Bva, yva = make_pairs(temps[90:], 1000, rng)
    mu = np.concatenate([Atr, Btr]).reshape(-1, 2).mean(0)
    sd = np.concatenate([Atr, Btr]).reshape(-1, 2).std(0)
    norm = lambda a: torch.from_numpy(((a - mu) / sd).astype(np.float32))
    return (norm(Atr), norm(Btr), torch.from_numpy(ytr)), (norm(Ava), norm(Bva), torch.from_numpy(yva))


class SiameseGRU(nn.Module):
    def __init__(self, hidden=64, emb=32):
        super().__init__()
        self.gru = nn.GRU(2, hidden, num_layers=1, batch_first=True, bidirectional=True)
        self.proj = nn.Linear(2 * hidden, emb)
        self.head = nn.Sequential(nn.Linear(2 * emb, 32), nn.ReLU(), nn.Linear(32, 1))

    def embed(self, x):
        _, h = self.gru(x)                      # h: (2, N, hidden)
        return self.proj(torch.cat([h[0], h[1]], 1))

    def forward(self, a, b):
        ea, eb = self.embed(a), self.embed(b)
        return self.head(torch.cat([(ea - eb).abs(), ea * eb], 1)).squeeze(1)


def setup():
    torch.manual_seed(0)
    (Atr, Btr, ytr), (Ava, Bva, yva) = make_data()
    return nndoctor.Setup(
        model=SiameseGRU(),
        train=TensorDataset(Atr, Btr, ytr),
        val=TensorDataset(Ava, Bva, yva),
        inputs=lambda batch: nndoctor.Inputs(batch[0], batch[1]),
        targets=lambda batch: batch[2],
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
