"""Fuel-injector faults from an engine-rebuild shop's flow bench.

Each injector that comes in with a rebuild is run on the bench at 10 pulse
widths; per injector we keep log(measured / nominal delivered volume) at each
pulse width, the opening delay (ms) and the relative opening/closing asymmetry,
plus the injector family as one-hot (kept 0/1, not standardised).  Labels from
the bench technician: 0 = within spec, 1 = sticking needle, 2 = slow closing.
Faults are rare, so the loss carries balanced class weights.
"""
import numpy as np
import torch
from torch import nn
from sklearn.utils.class_weight import compute_class_weight

import nndoctor

FAMILIES = ["Bosch EV1", "Bosch EV14", "Denso", "Delphi", "Siemens Deka", "Keihin", "Marelli"]
PULSE_MS = np.array([0.8, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 14.0])


def bench_records(n=6000, seed=21):
    rng = np.random.default_rng(seed)
    family = rng.integers(len(FAMILIES), size=n)
    label = rng.choice(3, n, p=[0.88, 0.08, 0.04])
    short = np.clip(np.log2(6.0 / PULSE_MS) / np.log2(6.0 / 0.8), 0, 1)     # 1 at the shortest pulse
    wear = rng.normal(0, 0.08, n)[:, None] * short[None]
    family_bias = np.linspace(-0.06, 0.06, len(FAMILIES))[family][:, None]
    log_flow = wear + family_bias + rng.normal(0, 0.06, (n, len(PULSE_MS)))
    sticking = label == 1
    # a sticking needle is erratic on short pulses: some shots over-deliver, some under
    jitter = rng.normal(0, 1, (sticking.sum(), len(PULSE_MS))) * rng.uniform(0.18, 0.4, (sticking.sum(), 1))
    log_flow[sticking] += jitter * short[None]
    nominal = np.array([1.2, 0.6, 0.57, 0.63, 0.48, 0.54, 0.72])[family]  # opening delay, ms
    opening = nominal * rng.normal(1.0, 0.03, n)
    asym = rng.normal(0.0, 0.03, n)
    slow = label == 2
    # slow closing: opening and closing no longer match (spring or armature either way)
    asym[slow] += rng.choice([-1, 1], slow.sum()) * rng.uniform(0.06, 0.15, slow.sum())
    cont = np.column_stack([log_flow, opening, asym])
    return cont.astype(np.float32), np.eye(len(FAMILIES), dtype=np.float32)[family], label


def setup():
    torch.manual_seed(0)
    cont, onehot, y = bench_records()
    idx = np.random.default_rng(1).permutation(len(y))
    tr, va = idx[:4800], idx[4800:]
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - mu) / sd, onehot], axis=1).astype(np.float32)
    weights = compute_class_weight("balanced", classes=np.arange(3), y=y[tr])
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 3),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32)),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=64,
    )
