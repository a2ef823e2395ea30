"""Hotel booking cancellation (binary) as an nndoctor checkup spec.

Continuous booking fields (lead time in log-days, nightly rate, stay length, party size,
previous cancellations, special requests) are standardised on the training split. The
categorical fields (hotel type, market segment, deposit type, arrival month, customer type)
and the repeat-guest flag stay as raw 0/1 one-hot columns: they are sparse indicators,
not magnitudes, and scaling them would only blur that. About a third of bookings cancel;
the output bias starts at the training log-odds so the initial loss is the prior's.
"""
import math
import numpy as np
import torch
from torch import nn
import nndoctor

SEGMENTS = ["online_ta", "offline_ta", "direct", "corporate", "groups", "complementary"]
DEPOSITS = ["no_deposit", "non_refund", "refundable"]
CUSTOMER = ["transient", "contract", "group", "transient_party"]


def simulate_bookings(n, rng):
    hotel = rng.integers(0, 2, n)                          # city / resort
    segment = rng.choice(len(SEGMENTS), n, p=[0.45, 0.2, 0.12, 0.08, 0.12, 0.03])
    deposit = rng.choice(len(DEPOSITS), n, p=[0.86, 0.12, 0.02])
    month = rng.integers(0, 12, n)
    customer = rng.choice(len(CUSTOMER), n, p=[0.72, 0.05, 0.01, 0.22])
    repeat = (rng.random(n) < 0.04).astype(float)
    lead = rng.gamma(1.2, 80, n)
    adr = rng.lognormal(np.log(95), 0.35, n) * (1 + 0.25 * np.sin(2 * np.pi * (month - 4) / 12)) * (1 + 0.2 * hotel)
    nights = rng.poisson(2.5, n) + 1 + 2 * hotel
    adults = rng.choice([1, 2, 3], n, p=[0.2, 0.7, 0.1])
    prev_cancel = rng.poisson(0.08, n)
    requests = rng.poisson(0.6, n)

    logit = (-2.6 + 0.75 * np.log1p(lead) / 2 + 1.0 * (segment == 4) + 0.6 * (segment == 0)
             - 0.9 * (segment == 3) + 2.2 * (deposit == 1) - 0.5 * hotel - 0.55 * requests
             + 1.1 * np.minimum(prev_cancel, 2) - 1.4 * repeat + 0.004 * (adr - 100)
             + 0.3 * np.isin(month, [5, 6, 7]) - 0.4 * (customer == 1))
    cancel = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)

    cont = np.stack([np.log1p(lead), adr, nights, adults, prev_cancel, requests], 1)
    onehot = np.concatenate([np.eye(2)[hotel], np.eye(len(SEGMENTS))[segment], np.eye(len(DEPOSITS))[deposit],
                             np.eye(12)[month], np.eye(len(CUSTOMER))[customer], repeat[:, None]], 1)
    return cont.astype(np.float32), onehot.astype(np.float32), cancel


def setup():
    torch.manual_seed(41)
    rng = np.random.default_rng(41)
    cont, onehot, y = simulate_bookings(12000, rng)
    n_tr = 9600
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    X = np.concatenate([(cont - mu) / sd, onehot], 1).astype(np.float32)
    Y = y[:, None]

    model = nn.Sequential(
        nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(32, 16), nn.ReLU(),
        nn.Linear(16, 1),
    )
    p = float(Y[:n_tr].mean())
    with torch.no_grad():
        model[-1].bias.fill_(math.log(p / (1 - p)))

    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(Y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(Y[n_tr:])),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=128,
    )
