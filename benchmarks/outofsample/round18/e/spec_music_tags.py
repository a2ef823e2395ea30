"""Multi-label music auto-tagging from MFCC frames, as an nndoctor checkup spec.

A clip is 64 frames (50 ms hop) of 20 MFCCs; tags are not exclusive (a clip can be
"rock", "vocal" and "fast" at once), so the head gives one logit per tag under
BCEWithLogitsLoss. The network is deliberately small (a two-block temporal CNN, ~9k
parameters): the tags depend on timbre, beat rate and vocal modulation, not on detail.
MFCCs are standardised per coefficient with training statistics.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

TAGS = ["rock", "electronic", "acoustic", "jazz", "vocal", "fast", "mellow", "live"]
N_MFCC, N_FRAMES = 20, 64


def simulate_clips(n, rng):
    genre_env = rng.normal(0, 0.3, (4, N_MFCC)) * np.linspace(1.5, 0.3, N_MFCC)
    X = np.empty((n, N_MFCC, N_FRAMES), dtype=np.float32)
    Y = np.zeros((n, len(TAGS)), dtype=np.float32)
    t = np.arange(N_FRAMES)
    for i in range(n):
        g = rng.integers(0, 4)
        bpm = rng.uniform(70, 170)
        vocal = rng.random() < 0.55
        live = rng.random() < 0.2
        energy = rng.normal(0.8 if g in (0, 1) else -0.4, 0.6)
        env = genre_env[g] + rng.normal(0, 0.4, N_MFCC)
        clip = env[:, None] + rng.normal(0, 0.45, (N_MFCC, N_FRAMES))
        beat = np.cos(2 * np.pi * t * 0.05 * bpm / 60 + rng.uniform(0, 2 * np.pi))
        clip[0] += energy + (0.9 if g == 1 else 0.5) * beat
        clip[1] += 0.3 * beat
        if vocal:
            syll = np.sin(2 * np.pi * t * 0.05 * rng.uniform(3.5, 5.5) + rng.uniform(0, 2 * np.pi))
            clip[2:7] += 0.3 * syll * rng.uniform(0.7, 1.3, (5, 1))
        if live:
            clip[8:] += rng.normal(0, 0.5, (N_MFCC - 8, 1))
            clip[0] += 0.4 * rng.normal(size=N_FRAMES)
        X[i] = clip
        Y[i, g] = 1.0                                   # rock / electronic / acoustic / jazz
        Y[i, 4] = float(vocal)
        Y[i, 5] = float(bpm > 128)
        Y[i, 6] = float(energy < -0.2 and bpm < 110)
        Y[i, 7] = float(live)
    return X, Y


class TagCNN(nn.Module):
    def __init__(self, n_tags, ch=32):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(N_MFCC, ch, 5, padding=2), nn.BatchNorm1d(ch), nn.ReLU(),
            nn.Conv1d(ch, ch, 5, padding=4, dilation=2), nn.BatchNorm1d(ch), nn.ReLU(),
        )
        self.drop = nn.Dropout(0.2)
        self.head = nn.Linear(2 * ch, n_tags)

    def forward(self, x):
        h = self.conv(x)
        return self.head(self.drop(torch.cat([h.mean(-1), h.amax(-1)], 1)))


def setup():
    torch.manual_seed(43)
    rng = np.random.default_rng(43)
    X, Y = simulate_clips(3000, rng)
    n_tr = 2400
    mu = X[:n_tr].mean((0, 2), keepdims=True)
    sd = X[:n_tr].std((0, 2), keepdims=True)
    X = (X - mu) / sd
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    return nndoctor.Setup(
        model=TagCNN(len(TAGS)),
        train=(Xt[:n_tr], Yt[:n_tr]),
        val=(Xt[n_tr:], Yt[n_tr:]),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=5e-2),
        batch_size=64,
    )
