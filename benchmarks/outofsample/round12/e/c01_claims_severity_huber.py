"""Motor-claim severity: predict the settled amount of a claim from policy and incident
features. Amounts are heavy-tailed (a few claims are 20-50x the typical one), so the
target is centred on the training median, scaled by the IQR and fitted with a Huber loss."""
import numpy as np
import torch
from torch import nn

import nndoctor


def make_claims(n, rng):
    age = rng.uniform(18, 80, n)
    vehicle_value = rng.lognormal(9.8, 0.5, n)
    speed = rng.gamma(4, 12, n)
    night = (rng.random(n) < 0.3).astype(float)
    urban = (rng.random(n) < 0.6).astype(float)
    injuries = rng.poisson(0.4, n)
    other = rng.normal(0, 1, (n, 4))
    base = (0.04 * vehicle_value ** 0.8 + 25 * speed * (1 + 0.5 * night) + 1800 * injuries
            + 400 * (age < 25) + 300 * np.tanh(other[:, 0]) - 250 * urban)
    noise = rng.standard_t(2.0, n) * 600          # heavy tails, finite mean, infinite variance
    y = np.maximum(base + noise, 50.0)
    X = np.column_stack([age, np.log(vehicle_value), speed, night, urban, injuries, other])
    return X.astype(np.float32), y.astype(np.float32)


def setup():
    rng = np.random.default_rng(17)
    torch.manual_seed(17)
    X, y = make_claims(5000, rng)
    X_tr, y_tr, X_va, y_va = X[:4000], y[:4000], X[4000:], y[4000:]

    cont = [0, 1, 2, 5, 6, 7, 8, 9]                # night/urban flags stay 0/1
    mu, sd = X_tr[:, cont].mean(0), X_tr[:, cont].std(0)
    X_tr[:, cont] = (X_tr[:, cont] - mu) / sd
    X_va[:, cont] = (X_va[:, cont] - mu) / sd

    med = np.median(y_tr)
    iqr = np.subtract(*np.percentile(y_tr, [75, 25]))
    t_tr = ((y_tr - med) / iqr)[:, None].astype(np.float32)
    t_va = ((y_va - med) / iqr)[:, None].astype(np.float32)

    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(t_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(t_va)),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05),
        batch_size=64,
        task="regression",
        name="claims-severity-huber",
    )
