"""Which aeration-basin alarms will fire in the next hour? (multi-label, 10 alarm types)

Checkup spec for the activated-sludge plant's early-warning model. Inputs are the current
15-minute means of the basin sensors plus blower state; targets are the alarm flags logged
in the following hour. Alarms are rare, so the output layer starts at the training prior.
"""
import numpy as np
import torch
import torch.nn as nn

import nndoctor

SENSORS = ["do_zone1", "do_zone2", "do_zone3", "nh4_out", "no3_out", "mlss", "air_flow",
           "blower_pressure", "blower_amps", "influent_flow", "influent_cod", "temp",
           "ph", "orp", "foam_camera", "valve_pos_1", "valve_pos_2", "valve_pos_3"]
ALARMS = ["do_low_z1", "do_low_z2", "do_low_z3", "nh4_breakthrough", "blower_surge",
          "blower_overcurrent", "foaming", "ph_low", "valve_stuck", "air_header_leak"]


def make_plant(n, rng):
    d = len(SENSORS)
    A = rng.normal(0, 1, (d, d)) / np.sqrt(d)
    Z = rng.normal(0, 1, (n, d)) @ (np.eye(d) + 0.5 * A)                 # correlated sensors
    W = rng.normal(0, 1, (d, len(ALARMS))) * (rng.random((d, len(ALARMS))) < 0.3)
    inter = np.tanh(Z[:, [0, 1, 2, 6, 7, 9]]).prod(1, keepdims=True)
    score = Z @ W + 1.2 * np.abs(Z[:, [3, 6, 7, 8, 11, 12, 13, 14, 15, 16]]) + 0.8 * inter
    score += rng.normal(0, 0.5, score.shape)
    rates = np.array([0.06, 0.05, 0.04, 0.08, 0.02, 0.03, 0.05, 0.03, 0.02, 0.015])
    cut = np.array([np.quantile(score[:, j], 1 - r) for j, r in enumerate(rates)])
    Y = (score > cut).astype(np.float32)
    return Z.astype(np.float32), Y


class AlarmNet(nn.Module):
    def __init__(self, d_in, n_out, width=128):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, width), nn.ReLU(),
                                  nn.Linear(width, width), nn.ReLU())
        self.head = nn.Linear(width, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    torch.manual_seed(21)
    rng = np.random.default_rng(21)
    X, Y = make_plant(5000, rng)
    n_tr = 4000
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    Xtr, Ytr = torch.from_numpy(X[:n_tr]), torch.from_numpy(Y[:n_tr])
    Xva, Yva = torch.from_numpy(X[n_tr:]), torch.from_numpy(Y[n_tr:])

    model = AlarmNet(X.shape[1], Y.shape[1])
    prior = Ytr.mean(0).clamp(1e-3, 1 - 1e-3)
    with torch.no_grad():
        model.head.bias.copy_(torch.log((1 - prior) / prior))

    return nndoctor.Setup(
        model=model,
        train=(Xtr, Ytr),
        val=(Xva, Yva),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=128,
        task="multilabel",
    )
