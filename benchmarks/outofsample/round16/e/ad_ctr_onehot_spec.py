"""Click-through prediction for a display-ad slot from one-hot categorical fields.

Seven categorical fields (site, app category, device model, hour, banner position,
advertiser, creative size) one-hot encoded into 254 sparse 0/1 columns, as the
production feature pipeline emits them: no standardisation (they are indicators).
A deliberately small wide-and-shallow model (one 16-unit hidden layer beside the
linear part), Adagrad as is usual for sparse CTR features, output bias started
at the log-odds of the training click rate (~10%).
"""
import numpy as np
import torch
from torch import nn

import nndoctor

FIELDS = {"site": 60, "app_cat": 24, "device": 80, "hour": 24, "banner_pos": 7, "advertiser": 50, "size": 9}


class WideShallow(nn.Module):
    def __init__(self, d_in, hidden=16, prior_logit=0.0):
        super().__init__()
        self.wide = nn.Linear(d_in, 1)
        self.deep = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, 1, bias=False))
        nn.init.constant_(self.wide.bias, prior_logit)

    def forward(self, x):
        return self.wide(x) + self.deep(x)


def _data(seed=31, n=40000):
    rng = np.random.default_rng(seed)
    cols, logit = [], np.full(n, -3.0)
    codes = {}
    for name, card in FIELDS.items():
        p = rng.zipf(1.5, card).astype(float)
        p /= p.sum()
        c = rng.choice(card, n, p=0.7 * p + 0.3 / card)
        codes[name] = c
        logit += rng.normal(0, 0.5, card)[c]
        cols.append(np.eye(card, dtype=np.float32)[c])
    # a few interactions the hidden layer can pick up
    logit += 0.9 * ((codes["banner_pos"] == 0) & (codes["size"] < 3))
    logit += 0.7 * ((codes["hour"] >= 18) & (codes["app_cat"] % 4 == 0))
    click = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    return np.concatenate(cols, axis=1), click


def setup():
    torch.manual_seed(31)
    X, y = _data()
    n_tr = 32000
    X, y = torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1)
    rate = y[:n_tr].mean().item()
    model = WideShallow(X.shape[1], prior_logit=float(np.log(rate / (1 - rate))))
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adagrad(params, lr=0.02, weight_decay=1e-3),
        batch_size=256,
    )
