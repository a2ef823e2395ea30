"""Event-type classifier for single-station vertical-component traces (checkup spec).

Classes: 0 local earthquake, 1 quarry blast, 2 traffic/cultural noise burst.
Training traces come from the waveform synthesiser in shards (the way the catalog tool
writes them); validation comes from a separate synthesiser run. 1D CNN on 4 s windows
at 64 Hz, each trace scaled by its own peak amplitude.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SEED = 11
FS, T = 64, 256
N_SHARDS, SHARD_SIZE = 8, 160


def synth_traces(n, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(T) / FS
    y = rng.integers(0, 3, n)
    X = np.zeros((n, T), np.float32)
    for i in range(n):
        onset = rng.uniform(0.4, 1.6)
        tt = np.clip(t - onset, 0, None)
        on = (t >= onset).astype(float)
        if y[i] == 0:  # earthquake: P then S arrival, S stronger, coda decays slowly
            sp = rng.uniform(0.5, 1.4)
            f_p, f_s = rng.uniform(7, 12), rng.uniform(3, 6)
            p = on * np.exp(-tt / rng.uniform(0.3, 0.6)) * np.sin(2 * np.pi * f_p * tt)
            ts = np.clip(t - onset - sp, 0, None)
            s = (t >= onset + sp) * rng.uniform(1.4, 2.4) * np.exp(-ts / rng.uniform(0.6, 1.1)) * np.sin(2 * np.pi * f_s * ts)
            w = p + s
        elif y[i] == 1:  # blast: impulsive onset, weak/absent S, lower frequency surface waves
            f_p = rng.uniform(6, 11)
            p = on * 1.6 * np.exp(-tt / rng.uniform(0.15, 0.35)) * np.sin(2 * np.pi * f_p * tt)
            r = on * rng.uniform(0.3, 0.7) * np.exp(-tt / 1.0) * np.sin(2 * np.pi * rng.uniform(1.5, 3) * tt + 1.0)
            s = (t >= onset + rng.uniform(0.5, 1.4)) * rng.uniform(0.0, 0.6) * np.sin(2 * np.pi * rng.uniform(3, 6) * tt) * np.exp(-tt)
            w = p + r + s
        else:  # cultural noise: emergent, long, band-limited, no clear phases
            dur = rng.uniform(0.8, 2.0)
            env = np.exp(-((t - onset - dur / 2) ** 2) / (2 * (dur / 3) ** 2))
            w = env * np.sin(2 * np.pi * rng.uniform(4, 14) * t + rng.uniform(0, 6)) * rng.uniform(0.6, 1.5)
            w += env * 0.5 * np.sin(2 * np.pi * rng.uniform(2, 5) * t)
        w = w * rng.uniform(0.5, 3.0) + rng.normal(0, rng.uniform(0.15, 0.5), T)
        X[i] = w / np.abs(w).max()
    return X[:, None, :], y.astype(np.int64)


class EventNet(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 9, padding=4), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 48, 5, padding=2), nn.BatchNorm1d(48), nn.ReLU(),
            nn.AdaptiveAvgPool1d(8),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(48 * 8, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, x):
        return self.head(self.features(x))


def setup():
    torch.manual_seed(SEED)
    shards = [synth_traces(SHARD_SIZE, seed=SEED) for k in range(N_SHARDS)]
    X_tr = np.concatenate([s[0] for s in shards])
    y_tr = np.concatenate([s[1] for s in shards])
    X_va, y_va = synth_traces(600, seed=SEED + 1000)
    return nndoctor.Setup(
        model=EventNet(),
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
