"""Clay roof-tile acoustic tap test: a solenoid taps each tile on the line several times and a
contact mic records the ring. Features per tap: 16 log band energies, decay time, peak frequency,
spectral centroid/spread, kurtosis. Label per tile: sound / hairline crack / lamination.
Checkup spec, MLP on standardised features."""
import numpy as np
import torch
import torch.nn as nn
import nndoctor
from sklearn.model_selection import StratifiedGroupKFold, train_test_split
from sklearn.preprocessing import StandardScaler

N_BANDS = 16


def tap_records(n_tiles, taps_per_tile, rng):
    label = rng.choice(3, n_tiles, p=[0.5, 0.3, 0.2])
    band_f = np.linspace(0, 1, N_BANDS)
    rows, ys, tile_ids = [], [], []
    for t in range(n_tiles):
        # each tile has its own ring (geometry, firing, moisture) that dominates the spectrum
        signature = rng.normal(0, 0.6, N_BANDS + 5)
        effect = np.zeros(N_BANDS + 5)
        if label[t] == 1:                       # crack: damped high bands, shorter decay
            effect[:N_BANDS] = -1.1 * band_f
            effect[N_BANDS] = -1.0
        elif label[t] == 2:                     # lamination: low-band boom, lower peak frequency
            effect[:N_BANDS] = 1.05 * (1 - band_f) ** 2
            effect[N_BANDS + 1] = -0.9
            effect[N_BANDS + 4] = 0.65
        for _ in range(taps_per_tile):
            tap = signature + effect + rng.normal(0, 0.12, N_BANDS + 5)
            rows.append(tap)
            ys.append(label[t])
            tile_ids.append(t)
    X = np.array(rows, dtype=np.float32)
    X[:, N_BANDS] = np.exp(0.3 * X[:, N_BANDS]) * 40.0         # decay time, ms
    X[:, N_BANDS + 1] = 1800 + 250 * X[:, N_BANDS + 1]          # peak frequency, Hz
    return X, np.array(ys), np.array(tile_ids)


def setup():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    X, y, tiles = tap_records(n_tiles=700, taps_per_tile=3, rng=rng)
    idx = np.arange(len(y))
    tr_idx, va_idx = train_test_split(idx, test_size=0.25, random_state=5, stratify=y)
    scaler = StandardScaler().fit(X[tr_idx])
    Xtr = torch.tensor(scaler.transform(X[tr_idx]), dtype=torch.float32)
    Xva = torch.tensor(scaler.transform(X[va_idx]), dtype=torch.float32)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 3),
    )
    return nndoctor.Setup(
        model=model,
        train=(Xtr, torch.tensor(y[tr_idx])),
        val=(Xva, torch.tensor(y[va_idx])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=0.1),
        batch_size=32,
    )
