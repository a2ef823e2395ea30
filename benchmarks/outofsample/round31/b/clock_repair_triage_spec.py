"""Clock & watch workshop: triage incoming mechanical movements from timegrapher readings.

A bench technician records rate (s/day), balance amplitude (degrees) and beat error (ms)
in six positions (dial up/down, crown up/down/left/right) before opening the case.
The model proposes which service the movement needs, so parts can be ordered early.
Classes: 0 fine / regulate only, 1 dried oil (needs full service), 2 weak mainspring,
3 magnetised hairspring, 4 balance out of poise, 5 worn escapement.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

POSITIONS = 6


def read_movements(n, rng):
    fault = rng.integers(0, 6, n)
    base_amp = rng.normal(285, 12, n)
    base_rate = rng.normal(0, 4, n)
    rate = base_rate[:, None] + rng.normal(0, 2.5, (n, POSITIONS))
    amp = base_amp[:, None] + rng.normal(0, 6, (n, POSITIONS))
    beat = np.abs(rng.normal(0.3, 0.2, n))
    pos_dial = np.array([1, 1, 0, 0, 0, 0], dtype=float)      # horizontal positions
    pos_vert = 1 - pos_dial
    tilt = rng.normal(0, 1, (n, POSITIONS))

    m = fault == 1      # dried oil: low amplitude, large dial-to-crown drop
    amp[m] -= 55 + 25 * pos_vert[None, :]
    rate[m] += rng.normal(8, 4, (m.sum(), 1))
    m = fault == 2      # weak mainspring: low amplitude everywhere, rate runs slow
    amp[m] -= 45
    rate[m] -= rng.normal(10, 3, (m.sum(), 1))
    m = fault == 3      # magnetised: fast rate, erratic spread
    rate[m] += rng.normal(60, 25, (m.sum(), 1)) + rng.normal(0, 15, (m.sum(), POSITIONS))
    m = fault == 4      # out of poise: vertical positions disagree, sign depends on heavy spot
    heavy = rng.normal(0, 1, (m.sum(), 1))
    rate[m] += 14 * heavy * tilt[m] * pos_vert[None, :]
    m = fault == 5      # worn escapement: beat error and unstable amplitude
    beat[m] += rng.normal(1.6, 0.5, m.sum())
    amp[m] += rng.normal(-15, 20, (m.sum(), POSITIONS))

    age_years = rng.gamma(3.0, 12.0, n)
    X = np.column_stack([rate, amp, beat, rate.std(1), amp.max(1) - amp.min(1),
                         amp[:, :2].mean(1) - amp[:, 2:].mean(1), np.log1p(age_years)])
    return X.astype(np.float32), fault.astype(np.int64)


class TriageNet(nn.Module):
    def __init__(self, n_in, n_out=6, width=128, p=0.1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, width), nn.LayerNorm(width), nn.GELU(), nn.Dropout(p),
            nn.Linear(width, width), nn.LayerNorm(width), nn.GELU(), nn.Dropout(p),
        )
        self.head = nn.Linear(width, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    rng = np.random.default_rng(7)
    torch.manual_seed(7)
    X, y = read_movements(2400, rng)
    X_tr, y_tr, X_va, y_va = X[:1900], y[:1900], X[1900:], y[1900:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    model = TriageNet(X.shape[1])
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-6, weight_decay=0.01),
        batch_size=32,
    )
