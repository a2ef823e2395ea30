"""Grade bovine hides (A/B/C/D/reject) from the wet-blue scanner's surface features.

Hides arrive in supplier lots of 10. The scanner exports per-hide features; grades come from
the tannery's grading table. Checkup spec: an MLP on standardised scanner features.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

N_GRADES = 5
FEATURES = ["area_m2", "thickness_mm", "thickness_cv", "grain_score", "scar_len_cm", "brand_area_cm2",
            "tick_marks", "vein_index", "flay_cuts", "loose_grain", "colour_dev", "moisture_pct"]


def load_hides(seed=5, n_lots=160, per_lot=10):
    rng = np.random.default_rng(seed)
    lot_id = np.repeat(np.arange(n_lots), per_lot)
    lot_q = rng.normal(0, 1.5, n_lots)                       # supplier / season effect
    q = lot_q[lot_id] + rng.normal(0, 0.7, lot_id.size)      # latent hide quality
    n = q.size
    X = np.column_stack([
        rng.normal(4.6, 0.5, n) + 0.1 * q,
        rng.normal(1.9, 0.15, n) + 0.04 * q,
        np.abs(rng.normal(0.08, 0.02, n) - 0.012 * q),
        rng.normal(6.0, 0.6, n) + 0.7 * q,
        np.maximum(0, rng.normal(20, 8, n) - 7 * q),
        np.maximum(0, rng.normal(30, 10, n) - 5 * q),
        rng.poisson(np.exp(1.2 - 0.45 * q)),
        rng.normal(0, 1, n) - 0.5 * q,
        rng.poisson(np.exp(0.5 - 0.3 * q)),
        rng.normal(0, 1, n) - 0.6 * q,
        rng.normal(0, 1, n),
        rng.normal(45, 2, n),
    ]).astype(np.float32)
    hide_grade = np.digitize(-q, np.quantile(-q, [0.15, 0.45, 0.75, 0.93]))
    # lot-level grade on the sorting sheet: the grade most hides in the lot received
    lot_grade = np.array([np.bincount(hide_grade[lot_id == l], minlength=N_GRADES).argmax() for l in range(n_lots)])
    return X, hide_grade, lot_id, lot_grade


def setup():
    torch.manual_seed(0)
    X, hide_grade, lot_id, lot_grade = load_hides()
    tr = lot_id % 5 != 4                                     # split by lot: every fifth lot held out
    va = ~tr
    mu, sd = X[tr].mean(0), X[tr].std(0)
    Xs = (X - mu) / sd
    y_tr = lot_grade[lot_id[tr]]
    y_va = hide_grade[va]
    model = nn.Sequential(
        nn.Linear(len(FEATURES), 96), nn.ReLU(),
        nn.Linear(96, 96), nn.ReLU(),
        nn.Linear(96, N_GRADES),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xs[tr]), torch.from_numpy(y_tr).long()),
        val=(torch.from_numpy(Xs[va]), torch.from_numpy(y_va).long()),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
