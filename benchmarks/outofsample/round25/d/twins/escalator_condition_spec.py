"""Escalator condition monitoring: which defect is developing, from a 10-minute summary.

Features per unit and window: motor current (mean, ripple, 3 harmonics), drive-chain
vibration RMS in three bands, step-band vibration (RMS, kurtosis), handrail speed ratio,
comb-plate impact counts, brake temperature, gearbox oil temperature, ambient temperature,
passenger load proxy, direction flag, hours since service, start/stop count.
Classes: healthy, handrail slip, step-chain wear, comb-plate damage, motor bearing.
"""
import numpy as np
import torch
import nndoctor
from torch import nn

CLASSES = ["healthy", "handrail_slip", "step_chain_wear", "comb_plate", "motor_bearing"]


def monitoring_windows(n, seed=4):
    rng = np.random.default_rng(seed)
    y = rng.choice(5, n, p=[0.32, 0.17, 0.17, 0.17, 0.17])
    load = rng.beta(2, 3, n)
    hours = rng.uniform(0, 2000, n)
    X = np.column_stack([
        20 + 12 * load + rng.normal(0, 1.5, n),          # current mean
        0.8 + rng.gamma(2, 0.2, n),                      # current ripple
        rng.normal(1, 0.2, n), rng.normal(0.5, 0.1, n), rng.normal(0.2, 0.05, n),  # harmonics
        rng.gamma(3, 0.3, n), rng.gamma(3, 0.2, n), rng.gamma(3, 0.1, n),          # chain vib bands
        rng.gamma(4, 0.25, n), 3 + rng.gamma(2, 0.3, n),                           # step vib, kurtosis
        1 + rng.normal(0, 0.01, n),                      # handrail/step speed ratio
        rng.poisson(2, n).astype(float),                 # comb impacts
        45 + 15 * load + rng.normal(0, 3, n),            # brake temp
        55 + 10 * load + rng.normal(0, 3, n),            # oil temp
        rng.normal(18, 6, n),                            # ambient
        load,
        rng.integers(0, 2, n).astype(float),             # direction
        hours,
        rng.poisson(30, n).astype(float),                # start/stop count
    ])
    sev = rng.uniform(0.4, 1.0, n)
    hs = y == 1; X[hs, 10] -= 0.03 * sev[hs] + 0.02 * load[hs]; X[hs, 1] += 0.5 * sev[hs]
    cw = y == 2; X[cw, 5] *= 1 + 1.2 * sev[cw]; X[cw, 9] += 1.5 * sev[cw] * (0.5 + X[cw, 17] / 2000)
    cp = y == 3; X[cp, 11] += rng.poisson(6 * sev[cp]); X[cp, 8] *= 1 + 0.8 * sev[cp]
    mb = y == 4; X[mb, 7] *= 1 + 1.5 * sev[mb]; X[mb, 4] += 0.15 * sev[mb]; X[mb, 13] += 8 * sev[mb]
    return X.astype(np.float32), y.astype(np.int64)


def make_mlp(sizes, act=nn.ReLU):
    layers = []
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(a, b), act()]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


def setup():
    torch.manual_seed(1)
    X, y = monitoring_windows(4000)
    n_tr = 3200
    cont = [i for i in range(X.shape[1]) if i != 16]
    mu, sd = X[:n_tr, cont].mean(0), X[:n_tr, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    model = make_mlp([X.shape[1], 96, 96, 96, 96, 96, len(CLASSES)])
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4),
        batch_size=64,
    )
