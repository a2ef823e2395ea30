"""Hand-gesture recognition from forearm sEMG window features (8 electrodes, 14 gestures)."""
import numpy as np
import torch
from torch import nn

import nndoctor

N_CH = 8
N_GESTURE = 14
N_POSTURE = 3
HIDDEN = (256, 4)


def emg_windows(n, rng):
    # each gesture looks different with the arm raised, level or lowered
    proto_rms = rng.normal(0.0, 0.8, (N_GESTURE, N_POSTURE, N_CH))
    proto_zc = rng.normal(0.0, 0.5, (N_GESTURE, N_POSTURE, N_CH))
    g = rng.integers(0, N_GESTURE, n)
    p = rng.integers(0, N_POSTURE, n)
    subject_gain = rng.normal(0.0, 0.15, (n, 1))
    fatigue = rng.uniform(0, 1, (n, 1))
    log_rms = -2.0 + proto_rms[g, p] + subject_gain + rng.normal(0, 0.35, (n, N_CH))
    zc_rate = 40 + 8 * (proto_zc[g, p] - 0.4 * fatigue) + rng.normal(0, 3.0, (n, N_CH))
    wl = np.exp(log_rms) * (1.6 + 0.2 * rng.standard_normal((n, N_CH)))
    X = np.concatenate([log_rms, zc_rate, np.log(wl)], axis=1).astype(np.float32)
    return X, g.astype(np.int64)


def setup():
    rng = np.random.default_rng(21)
    torch.manual_seed(21)
    X, y = emg_windows(6000, rng)
    n_tr = 4800
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd

    layers, width = [], X.shape[1]
    for h in HIDDEN:
        layers += [nn.Linear(width, h), nn.ReLU(), nn.Dropout(0.1)]
        width = h
    model = nn.Sequential(*layers, nn.Linear(width, N_GESTURE))

    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=64,
    )
