"""Which concert-harp strings to replace before the season, from the technician's sheet.

Per string: gauge, material (gut / nylon / fluorocarbon / wound, one-hot), octave, days on the
instrument, pitch drift (cents/day), tension, humidity swing, surface roughness score from the
macro photo, retunes last week, decay time of a plucked note.
Labels: 0 fine, 1 regulate / watch, 2 replace now. Replacements are rare, so the loss is
class-weighted (balanced) and the split stratified.
"""
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor

MATERIALS = ["gut", "nylon", "fluoro", "wound"]


def technician_sheets(n, seed):
    rng = np.random.default_rng(seed)
    mat = rng.choice(4, n, p=[0.45, 0.3, 0.1, 0.15])
    octave = rng.integers(1, 8, n)
    gauge = 0.6 + 0.25 * (7 - octave) + rng.normal(0, 0.05, n) + 0.4 * (mat == 3)
    days = rng.gamma(2.0, 120, n)
    humidity_swing = rng.uniform(5, 35, n)
    tension = 60 + 25 * gauge + rng.normal(0, 6, n)
    fragility = np.array([1.0, 0.5, 0.35, 0.7])[mat]
    wear = (fragility * (days / 365) * (1 + humidity_swing / 30) * (1 + 0.15 * (octave - 4))
            + rng.normal(0, 0.2, n))
    drift = 0.5 + 1.8 * wear + rng.normal(0, 1.5, n)
    rough = 1 + 2.0 * wear + rng.normal(0, 1.8, n)
    retunes = rng.poisson(1 + 0.5 * np.clip(wear, 0, None))
    decay = 4.0 - 0.25 * octave - 0.6 * wear + rng.normal(0, 0.8, n)
    label = np.digitize(wear + rng.normal(0, 0.15, n), [1.55, 2.45])
    cont = np.stack([gauge, octave, days, drift, tension, humidity_swing, rough, retunes, decay], 1)
    return cont.astype(np.float32), np.eye(4, dtype=np.float32)[mat], label.astype(np.int64)


def setup():
    torch.manual_seed(8)
    cont, mat, y = technician_sheets(2400, seed=8)
    idx_tr, idx_va = train_test_split(np.arange(len(y)), test_size=0.25, stratify=y, random_state=8)
    mu, sd = cont[idx_tr].mean(0), cont[idx_tr].std(0)
    X = np.concatenate([(cont - mu) / sd, mat], 1)
    counts = np.bincount(y[idx_tr], minlength=3)
    weights = torch.tensor(len(idx_tr) / (3 * counts), dtype=torch.float32)
    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                          nn.Linear(64, 3))
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return nndoctor.Setup(
        model=model,
        train=(Xt[idx_tr], yt[idx_tr]),
        val=(Xt[idx_va], yt[idx_va]),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-3),
        batch_size=32,
    )
