"""Bell-foundry tuning-fork QA: classify each fork from its strike spectrum.

Each fork is struck on the test anvil and the analyser logs 24 log-spaced band
magnitudes as raw 16-bit ADC counts. Classes: in tune, sharp, flat, cracked.
"""
import numpy as np
import torch
from torch import nn
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import nndoctor

N_BANDS = 24
CLASSES = ["in_tune", "sharp", "flat", "cracked"]


def strike_spectra(n, rng):
    y = rng.choice(4, size=n, p=[0.4, 0.2, 0.2, 0.2])
    bands = np.arange(N_BANDS, dtype=float)
    centre = np.where(y == 1, 12.7, np.where(y == 2, 11.3, 12.0)) + rng.normal(0, 0.3, n)
    width = np.where(y == 3, 1.6, 1.0) * rng.uniform(0.85, 1.15, n)
    gain = rng.lognormal(0.0, 0.25, n)
    peak = np.exp(-0.5 * ((bands[None, :] - centre[:, None]) / width[:, None]) ** 2)
    overtone = 0.35 * np.exp(-0.5 * ((bands[None, :] - (centre[:, None] + 7.0)) / 0.8) ** 2)
    crack = np.zeros((n, N_BANDS))
    cracked = np.where(y == 3)[0]
    pos = rng.uniform(2, 22, len(cracked))
    crack[cracked] = 0.4 * np.exp(-0.5 * ((bands[None, :] - pos[:, None]) / 0.7) ** 2)
    spectrum = gain[:, None] * (peak + overtone + crack)
    counts = 21000 + 900 * spectrum + rng.normal(0, 60, (n, N_BANDS))
    return np.round(counts), y


def setup():
    rng = np.random.default_rng(3141)
    torch.manual_seed(3141)
    X, y = strike_spectra(2400, rng)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=3141)

    scaler = StandardScaler().fit(X_tr)
    X_tr_s = scaler.transform(X_tr)
    X_va_s = scaler.transform(X_va)

    model = nn.Sequential(
        nn.Linear(N_BANDS, 96), nn.ReLU(),
        nn.Linear(96, 48), nn.ReLU(),
        nn.Linear(48, len(CLASSES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr)),
        val=(torch.tensor(X_va, dtype=torch.float32), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
