"""Will a mountain-hut booking be cancelled (or a no-show)?

Bookings for the section's 30 huts for the summer season.  Categorical fields go in
one-hot (sparse, left as 0/1); the continuous fields (party size, lead time, forecast
precipitation and freezing level, hut altitude) are standardised with the
training statistics.  About one booking in ten is cancelled, so the loss weighs the
positives by the negative/positive ratio; the wardens care about recall of cancellations.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_HUTS = 30
CHANNELS = ["phone", "web", "agency", "club_portal"]


def bookings(n, rng):
    hut_alt = rng.uniform(1800, 3300, N_HUTS)
    hut_bias = rng.normal(0, 0.3, N_HUTS)
    hut = rng.integers(0, N_HUTS, n)
    channel = rng.choice(4, n, p=[0.2, 0.5, 0.15, 0.15])
    weekday = rng.integers(0, 7, n)
    group = rng.poisson(2.5, n) + 1
    lead = rng.gamma(1.5, 20, n) + 1
    precip = rng.gamma(1.2, 6, n)
    freezing = rng.normal(3400, 450, n)
    deposit = (rng.random(n) < 0.6).astype(np.float32)
    member = (rng.random(n) < 0.45).astype(np.float32)

    alt = (hut_alt[hut] - 2500) / 500
    bad = (precip > 8) & (freezing < hut_alt[hut] + 400)          # snow down to the hut: trips called off
    logit = (-3.3 + hut_bias[hut] + 3.0 * bad * (1 + 0.4 * alt) + 0.08 * precip
             + 0.6 * np.log(lead / 20) - 1.3 * deposit - 0.5 * member + 0.8 * (channel == 2)
             - 0.4 * (weekday >= 5) + 0.3 * np.clip(group - 4, 0, None) * (precip > 6))
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)

    onehot = np.concatenate([np.eye(N_HUTS)[hut], np.eye(4)[channel], np.eye(7)[weekday],
                             deposit[:, None], member[:, None]], axis=1)
    cont = np.column_stack([group, np.log(lead), precip, freezing, hut_alt[hut]])
    return onehot.astype(np.float32), cont.astype(np.float32), y


def setup():
    rng = np.random.default_rng(8)
    oh, cont, y = bookings(12000, rng)
    tr, va = slice(0, 9600), slice(9600, None)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([oh, (cont - mu) / sd], axis=1)
    Xtr, ytr = torch.from_numpy(X[tr]), torch.from_numpy(y[tr]).unsqueeze(1)
    Xva, yva = torch.from_numpy(X[va]), torch.from_numpy(y[va]).unsqueeze(1)

    pos = ytr.mean().item()
    torch.manual_seed(4)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.BCEWithLogitsLoss(pos_weight=torch.tensor([(1 - pos) / pos])),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05),
        batch_size=128,
    )
