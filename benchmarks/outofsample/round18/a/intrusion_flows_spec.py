"""Network-intrusion triage on NetFlow summaries (checkup spec).

Each row is one flow aggregated over 60 s: duration, bytes each way, packets, distinct
destination ports, SYN share, mean inter-arrival, payload entropy, ...
Classes: 0 benign, 1 port scan, 2 slow exfiltration.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

FEATURES = ["log_duration", "log_bytes_out", "log_bytes_in", "log_packets", "distinct_dports",
            "syn_share", "log_iat_mean", "iat_cv", "payload_entropy", "dst_is_internal",
            "hour_sin", "hour_cos"]


def make_flows(n, rng):
    y = rng.choice(3, size=n, p=[0.95, 0.035, 0.015])
    X = np.empty((n, len(FEATURES)), np.float32)
    hour = rng.uniform(0, 24, n)
    X[:, 0] = rng.normal(1.5, 1.2, n)
    X[:, 1] = rng.normal(8.0, 1.5, n)
    X[:, 2] = X[:, 1] + rng.normal(1.0, 1.0, n)
    X[:, 3] = rng.normal(3.0, 1.0, n)
    X[:, 4] = rng.poisson(1.5, n)
    X[:, 5] = rng.beta(2, 12, n)
    X[:, 6] = rng.normal(-2.0, 1.0, n)
    X[:, 7] = rng.gamma(2.0, 0.5, n)
    X[:, 8] = rng.normal(5.5, 1.0, n)
    X[:, 9] = rng.random(n) < 0.3
    scan, exf = y == 1, y == 2
    # port scans: many ports, SYN heavy, tiny flows -- but overlapping with busy benign hosts
    X[scan, 4] += rng.poisson(2.0, scan.sum())
    X[scan, 5] += rng.normal(0.12, 0.08, scan.sum())
    X[scan, 1] -= rng.normal(0.8, 0.8, scan.sum())
    X[scan, 2] = X[scan, 1] + rng.normal(0.0, 1.0, scan.sum())
    # slow exfiltration: long, outbound heavy, regular timing, high-entropy payload, at night
    X[exf, 0] += rng.normal(1.0, 0.8, exf.sum())
    X[exf, 2] = X[exf, 1] - rng.normal(0.8, 0.8, exf.sum())
    X[exf, 7] *= 0.6
    X[exf, 8] += rng.normal(0.9, 0.6, exf.sum())
    hour[exf] = (hour[exf] * 0.4 + 22) % 24
    X[:, 10], X[:, 11] = np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24)
    return X, y.astype(np.int64)


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(2024)
    X, y = make_flows(10000, rng)
    X_tr, y_tr, X_va, y_va = X[:8000], y[:8000], X[8000:], y[8000:]
    cont = [i for i, f in enumerate(FEATURES) if f not in ("dst_is_internal", "hour_sin", "hour_cos")]
    mu, sd = X_tr[:, cont].mean(0), X_tr[:, cont].std(0)
    X_tr[:, cont] = (X_tr[:, cont] - mu) / sd
    X_va[:, cont] = (X_va[:, cont] - mu) / sd

    model = nn.Sequential(
        nn.Linear(len(FEATURES), 32), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(32, 32), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(32, 3),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=64,
    )
