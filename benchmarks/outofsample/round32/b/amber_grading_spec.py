"""Baltic amber lot grading: four grades from bench measurements of each piece.

The lab exports one table per season; the grade column is what the graders
agreed on after the second look. An MLP on standardised measurements.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

COLUMNS = ["clarity", "inclusion_density", "hue_angle", "density", "uv_fluor",
           "crack_len_mm", "log_mass", "grade_sorter", "grade"]


def load_season(n=2400, seed=7):
    rng = np.random.default_rng(seed)
    clarity = rng.beta(2.5, 1.8, n)
    incl = rng.gamma(1.5, 0.6, n)
    hue = rng.normal(38.0, 9.0, n)
    dens = rng.normal(1.07, 0.012, n)
    uv = rng.uniform(0.0, 1.0, n)
    crack = rng.exponential(2.0, n)
    log_mass = rng.normal(1.2, 0.5, n)
    quality = (2.4 * clarity - 0.9 * np.sqrt(incl) - 0.35 * np.log1p(crack)
               + 0.8 * np.exp(-((hue - 40.0) / 8.0) ** 2)
               + 0.6 * uv * (clarity > 0.55) - 25.0 * np.abs(dens - 1.07)
               + 0.25 * log_mass + rng.normal(0.0, 0.12, n))
    cuts = np.quantile(quality, [0.25, 0.5, 0.75])
    grade = np.digitize(quality, cuts)
    # the conveyor's optical sorter, logged next to the graders' decision
    sorter = grade.copy()
    miss = rng.random(n) < 0.35
    sorter[miss] = rng.integers(0, 4, miss.sum())
    return np.column_stack([clarity, incl, hue, dens, uv, crack, log_mass, sorter, grade])


def setup():
    torch.manual_seed(0)
    table = load_season()
    X = table[:, :7].astype(np.float32)
    y = table[:, 7].astype(np.int64)

    n_train = 1900
    mu, sd = X[:n_train].mean(0), X[:n_train].std(0)
    X = torch.from_numpy((X - mu) / sd)
    y = torch.from_numpy(y)

    model = nn.Sequential(
        nn.Linear(7, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 4),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:n_train], y[:n_train]),
        val=(X[n_train:], y[n_train:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-5),
        batch_size=64,
    )
