"""Checkup spec: emergency-department triage acuity (ESI 1-5) from arrival vitals, as an
ordinal problem with cumulative binary targets.

Level k is encoded as four "exceeds" bits [y>1, y>2, y>3, y>4] (e.g. level 3 -> 1,1,0,0)
and the network has one logit per threshold, trained with BCEWithLogitsLoss (the
cumulative-link / "extended binary" reduction for ordinal regression; predicted level =
1 + number of bits with p > 0.5).  Level 1 and 5 are rare, as in real EDs.
Vitals are standardised with training statistics; the two arrival-mode flags stay 0/1.
"""
import numpy as np
import torch
import torch.nn as nn

import nndoctor

LEVELS = 5


def make_visits(n, rng):
    age = rng.uniform(1, 95, n)
    hr = rng.normal(88, 18, n)
    sbp = rng.normal(128, 22, n)
    rr = rng.normal(18, 4.5, n)
    spo2 = 100 - rng.gamma(1.6, 1.8, n)
    temp = rng.normal(37.1, 0.7, n)
    pain = rng.integers(0, 11, n).astype(float)
    gcs = 15 - rng.binomial(12, 0.03, n)
    ambulance = (rng.random(n) < 0.25).astype(float)
    referred = (rng.random(n) < 0.15).astype(float)
    severity = (0.045 * np.abs(hr - 80) + 0.04 * np.clip(110 - sbp, 0, None) + 0.12 * np.abs(rr - 16)
                + 0.35 * np.clip(95 - spo2, 0, None) + 0.5 * np.abs(temp - 37) + 0.08 * pain
                + 0.9 * (15 - gcs) + 0.9 * ambulance + 0.3 * referred + 0.012 * age
                + rng.normal(0, 0.45, n))
    cuts = np.array([1.75, 2.85, 4.2, 5.5])                     # ESI 5 (least urgent) .. ESI 1
    urgency = np.searchsorted(cuts, severity)                  # 0 = ESI 5 ... 4 = ESI 1
    cont = np.stack([age, hr, sbp, rr, spo2, temp, pain, gcs], 1)
    flags = np.stack([ambulance, referred], 1)
    return cont, flags, urgency


def cumulative_bits(urgency):
    return (urgency[:, None] > np.arange(LEVELS - 1)[None, :]).astype(np.float32)


def build():
    rng = np.random.default_rng(31)
    torch.manual_seed(31)
    cont, flags, urgency = make_visits(5000, rng)
    tr, va = slice(0, 4000), slice(4000, None)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - mu) / sd, flags], 1).astype(np.float32)
    T = cumulative_bits(urgency)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, LEVELS - 1),
    )
    with torch.no_grad():                                      # thresholds start at the prior
        p = T[tr].mean(0).clip(1e-3, 1 - 1e-3)
        model[-1].bias.copy_(torch.from_numpy(np.log(p / (1 - p))))
    return model, torch.from_numpy(X[tr]), torch.from_numpy(T[tr]), torch.from_numpy(X[va]), torch.from_numpy(T[va])


def setup():
    model, Xtr, Ttr, Xva, Tva = build()
    return nndoctor.Setup(
        model=model,
        train=(Xtr, Ttr),
        val=(Xva, Tva),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )


if __name__ == "__main__":
    _, _, u = make_visits(5000, np.random.default_rng(31))
    print("level shares (ESI5..ESI1):", np.round(np.bincount(u, minlength=LEVELS) / len(u), 3))
