"""Dry-stone wall condition survey: laser-profile and site features -> condition class.

A county field-boundary survey measured 2,700 wall sections (profile scanner + site notes)
and two survey teams graded each section: sound / bulging / slumped / collapse risk.
The audit set (400 sections) was re-graded by the project lead. Tabular MLP.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

CONDITIONS = ["sound", "bulging", "slumped", "collapse_risk"]
FEATURES = ["height_m", "base_width_m", "batter_deg", "bulge_mm", "lean_deg", "throughs_per_m",
            "coping_missing", "ivy_cover", "years_since_rebuild", "slope_deg", "soil_wetness",
            "stock_pressure", "frost_days", "stone_size_cm"]


def profile_scans(rng, n):
    X = np.column_stack([
        rng.normal(1.3, 0.2, n), rng.normal(0.75, 0.1, n), rng.normal(8, 3, n), rng.gamma(2, 15, n),
        rng.normal(0, 2.5, n), rng.poisson(1.2, n), rng.beta(1.5, 5, n), rng.beta(1.2, 3, n),
        rng.exponential(40, n), rng.gamma(2, 4, n), rng.beta(2, 2, n), rng.beta(2, 4, n),
        rng.normal(60, 15, n), rng.normal(25, 6, n),
    ]).astype(np.float32)
    z = (X - X.mean(0)) / X.std(0)
    bulge = 1.2 * z[:, 3] - 0.6 * z[:, 5] + 0.5 * z[:, 10] + 0.4 * z[:, 12]
    slump = 0.9 * z[:, 8] - 0.8 * z[:, 2] + 0.5 * z[:, 6] + 0.4 * z[:, 9] * z[:, 10]
    risk = 0.7 * np.abs(z[:, 4]) + 0.6 * z[:, 11] + 0.5 * z[:, 7] - 0.5 * z[:, 13] + 0.3 * z[:, 0]
    scores = np.column_stack([np.full(n, 0.9), bulge, slump, risk]) + rng.gumbel(0, 0.2, (n, 4))
    return X, scores.argmax(1)


def setup():
    rng = np.random.default_rng(34)
    torch.manual_seed(34)
    X, grade = profile_scans(rng, 3100)
    section_ids = np.arange(3100)
    X_val, y_val = X[2700:], grade[2700:]                      # audit set, graded by the lead
    X, grade, section_ids = X[:2700], grade[:2700], section_ids[:2700]

    # field sheets from the two survey teams, keyed by section id
    team_b = rng.random(2700) < 0.45
    ids_a, ids_b = section_ids[~team_b], section_ids[team_b]
    sheet_a = {int(s): CONDITIONS[grade[s]] for s in ids_a}
    walk_b = rng.permutation(ids_b)
    sheet_b = {int(s): CONDITIONS[grade[s]] for s in walk_b}

    X_train = np.concatenate([X[ids_a], X[ids_b]])
    y_a = np.array([CONDITIONS.index(sheet_a[int(s)]) for s in ids_a])
    y_b = np.array([CONDITIONS.index(sheet_b[int(s)]) for s in ids_b])
    y_train = np.concatenate([y_a, y_b])

    mu, sd = X_train.mean(0), X_train.std(0)
    X_train, X_val = (X_train - mu) / sd, (X_val - mu) / sd

    model = nn.Sequential(
        nn.Linear(len(FEATURES), 128), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, len(CONDITIONS)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X_train), torch.tensor(y_train)),
        val=(torch.tensor(X_val), torch.tensor(y_val)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-4),
        batch_size=64,
    )
