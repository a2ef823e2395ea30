"""Checkup spec: climbing-gym route setting. Predict the consensus V-grade (V0..V7) of a newly set
boulder problem from the setter's route card, so the colour tag can be hung on day one.
Ordinal head: 7 cumulative logits P(grade > k), trained with BCEWithLogitsLoss on the cumulative
targets (a grade is predicted as the number of thresholds passed). The "competition wall" flag is
a 0/1 column and is left unscaled."""
import numpy as np
import torch
from torch import nn
import nndoctor

N_GRADES = 8


def route_cards(n, rng):
    angle = rng.choice([0, 10, 20, 30, 40, 45], n) + rng.normal(0, 1, n)     # degrees overhanging
    holds = rng.poisson(9, n) + 4
    hold_cm = rng.lognormal(np.log(9), 0.35, n)
    crimp_share = rng.beta(2, 4, n)
    reach_cm = rng.normal(175, 18, n)
    moves = holds - rng.integers(0, 3, n)
    volumes = rng.poisson(1.2, n).astype(float)
    comp = (rng.random(n) < 0.2).astype(float)
    difficulty = (0.045 * angle + 1.8 * crimp_share - 0.12 * (hold_cm - 9) + 0.025 * (reach_cm - 175)
                  + 0.06 * moves - 0.15 * volumes + 0.6 * comp + 2.4 * (angle > 35) * crimp_share
                  - 0.8 * np.tanh((hold_cm - 12) / 2) * (angle > 25) + rng.normal(0, 0.25, n))
    grade = np.digitize(difficulty, np.quantile(difficulty, [0.08, 0.2, 0.36, 0.54, 0.7, 0.84, 0.94]))
    X = np.column_stack([angle, holds, hold_cm, crimp_share, reach_cm, moves, volumes, comp]).astype(np.float32)
    return X, grade


def setup():
    rng = np.random.default_rng(4)
    torch.manual_seed(4)
    X, grade = route_cards(2400, rng)
    idx = rng.permutation(len(grade))
    tr, va = idx[:1900], idx[1900:]
    cont = slice(0, 7)
    mu, sd = X[tr, cont].mean(0), X[tr, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    cum = (grade[:, None] > np.arange(N_GRADES - 1)[None, :]).astype(np.float32)
    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, N_GRADES - 1))
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X[tr]), torch.tensor(cum[tr])),
        val=(torch.tensor(X[va]), torch.tensor(cum[va])),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
