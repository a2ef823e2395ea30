"""Keyword spotting on MFCC frames: a small 1-D CNN over 24 frames x 13 cepstral coefficients.

The corpus is delivered one folder per command word; each folder holds the utterances of
many speakers (speaker-dependent cepstral offset, timing jitter, background noise).
"""
import numpy as np
import torch
from torch import nn
import nndoctor

COMMANDS = ["yes", "no", "up", "down", "left", "right", "stop", "go"]
N_MFCC, N_FRAMES = 13, 24


def _word_template(rng):
    # smooth formant-like trajectories per coefficient
    t = np.linspace(0, 1, N_FRAMES)
    tmpl = np.zeros((N_MFCC, N_FRAMES))
    for c in range(N_MFCC):
        a, f, ph = rng.normal(0, 1.0 / (1 + 0.3 * c)), rng.uniform(0.5, 2.5), rng.uniform(0, 2 * np.pi)
        tmpl[c] = a * np.sin(2 * np.pi * f * t + ph) + rng.normal(0, 0.3 / (1 + 0.3 * c))
    envelope = np.exp(-((t - rng.uniform(0.35, 0.65)) ** 2) / 0.08)
    return tmpl * envelope


def load_command_folder(word_id, n, rng, templates, speakers):
    X = np.empty((n, N_MFCC, N_FRAMES), dtype=np.float32)
    for i in range(n):
        spk = speakers[rng.integers(len(speakers))]
        shift = rng.integers(-3, 4)
        x = np.roll(templates[word_id], shift, axis=1) * rng.uniform(0.7, 1.3)
        x = x + spk[:, None] + rng.normal(0, 0.3, size=x.shape)
        x[0] += 12.0 + rng.normal(0, 1.5)          # c0 ~ log energy, varies with mic gain
        X[i] = x
    return X


def setup():
    rng = np.random.default_rng(7)
    torch.manual_seed(7)
    templates = [_word_template(rng) for _ in COMMANDS]
    speakers = [rng.normal(0, 0.4, size=N_MFCC) for _ in range(40)]
    counts = rng.integers(150, 230, size=len(COMMANDS))

    xs, ys = [], []
    for k, word in enumerate(COMMANDS):
        xs.append(load_command_folder(k, counts[k], rng, templates, speakers))
        ys.append(np.full(counts[k], k, dtype=np.int64))
    X = np.concatenate(xs)
    y = np.concatenate(ys)

    idx = np.arange(len(X))
    n_train = int(0.8 * len(X))
    tr, va = idx[:n_train], idx[n_train:]

    mu = X[tr].mean(axis=(0, 2), keepdims=True)
    sd = X[tr].std(axis=(0, 2), keepdims=True)
    X = (X - mu) / sd

    model = nn.Sequential(
        nn.Conv1d(N_MFCC, 32, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv1d(32, 48, kernel_size=3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        nn.Linear(48, len(COMMANDS)),
    )
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return nndoctor.Setup(
        model=model,
        train=(Xt[tr], yt[tr]),
        val=(Xt[va], yt[va]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
