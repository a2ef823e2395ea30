"""Glass-bottle inspection line: from the measurements of the cold-end inspection
machine (wall thickness at six heights, ovality, lean, weight, seed/blister counts,
polariscope stress, light transmission) predict which defect families the
downstream QA sample will confirm. Multi-label: chip, stone, blister, thin wall, check.
Defects are rare, so the output biases start at the log-odds of the defect rate."""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

DEFECTS = ["chip", "stone", "blister", "thin_wall", "check"]


def inspect(n, rng):
    wall = rng.normal(2.6, 0.25, (n, 6))                     # mm, heel .. shoulder
    wall[:, 4:] -= rng.gamma(1.5, 0.08, (n, 1))              # shoulder thinning
    ovality = rng.gamma(2.0, 0.06, n)
    lean = rng.gamma(2.0, 0.25, n)
    weight = 380 + 45 * (wall.mean(1) - 2.6) + rng.normal(0, 3, n)
    seeds = rng.poisson(1.2, n)
    stress = rng.gamma(3.0, 12.0, n)                         # polariscope, nm/cm
    transm = rng.normal(0.88, 0.03, n)
    finish_dev = rng.gamma(1.2, 0.05, n)
    X = np.column_stack([wall, ovality, lean, weight, seeds, stress, transm, finish_dev])
    logit = np.column_stack([
        -2.3 + 14 * (finish_dev - 0.06) + 1.2 * (lean - 0.5),
        -2.5 + 0.04 * (stress - 36) + 18 * (0.88 - transm),
        -2.2 + 0.9 * (seeds - 1.2) + 10 * (0.88 - transm),
        -2.0 + 9 * (2.35 - wall[:, 4:].min(1)) + 3 * ovality,
        -2.6 + 0.05 * (stress - 36) + 8 * (2.35 - wall.min(1)),
    ])
    Y = (rng.random(logit.shape) < 1 / (1 + np.exp(-3 * logit / 2))).astype(np.float32)
    return X.astype(np.float32), Y


class InspectionNet(nn.Module):
    def __init__(self, n_in, n_out, width=64, prior=0.15):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, width), nn.ReLU(),
            nn.Linear(width, width), nn.ReLU(),
        )
        self.head = nn.Linear(width, n_out)
        for m in [self.head]:
            if isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, -math.log((1 - prior) / prior))

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    rng = np.random.default_rng(5)
    torch.manual_seed(5)
    X, Y = inspect(3000, rng)
    X_tr, Y_tr, X_va, Y_va = X[:2400], Y[:2400], X[2400:], Y[2400:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    model = InspectionNet(X.shape[1], len(DEFECTS), prior=float(Y_tr.mean()))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(Y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(Y_va)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
