"""Checkup spec: network-flow triage into benign / scan / brute-force / exfiltration.

Traffic is heavily imbalanced (about 84/10/4/2 %), so the cross-entropy carries tempered inverse-frequency (power 0.75)
class weights and a little label smoothing. Continuous flow statistics are log-transformed and
standardised; the protocol is one-hot (left as 0/1). A deliberately small MLP: the decision
surface is simple and the rare classes have few examples.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SEED = 31


def make_flows(n, rng):
    cls = rng.choice(4, size=n, p=[0.84, 0.10, 0.04, 0.02])
    proto = np.where(cls == 1, rng.choice(3, n, p=[0.7, 0.2, 0.1]),
                     np.where(cls == 2, rng.choice(3, n, p=[0.9, 0.05, 0.05]), rng.choice(3, n, p=[0.5, 0.4, 0.1])))
    dur = rng.lognormal(np.select([cls == 0, cls == 1, cls == 2, cls == 3], [1.0, -0.5, 0.7, 2.3]), 1.0)
    bytes_out = rng.lognormal(np.select([cls == 0, cls == 1, cls == 2, cls == 3], [7.0, 5.0, 6.5, 9.0]), 1.2)
    bytes_in = rng.lognormal(np.select([cls == 0, cls == 1, cls == 2, cls == 3], [8.0, 5.5, 7.0, 7.0]), 1.3)
    n_ports = rng.poisson(np.select([cls == 0, cls == 1, cls == 2, cls == 3], [1.5, 9.0, 1.2, 1.5])) + 1
    fails = rng.poisson(np.select([cls == 0, cls == 1, cls == 2, cls == 3], [0.3, 0.5, 3.5, 0.3]))
    cont = np.log1p(np.stack([dur, bytes_out, bytes_in, n_ports, fails], 1))
    onehot = np.eye(3)[proto]
    return cont, onehot, cls


def load():
    rng = np.random.default_rng(SEED)
    c_tr, o_tr, y_tr = make_flows(4000, rng)
    c_va, o_va, y_va = make_flows(1500, rng)
    mu, sd = c_tr.mean(0), c_tr.std(0)
    X_tr = np.hstack([(c_tr - mu) / sd, o_tr]).astype(np.float32)
    X_va = np.hstack([(c_va - mu) / sd, o_va]).astype(np.float32)
    return X_tr, y_tr, X_va, y_va


def setup():
    torch.manual_seed(SEED)
    X_tr, y_tr, X_va, y_va = load()

    counts = np.bincount(y_tr, minlength=4)
    w = (counts / counts.sum()) ** -0.75
    w = torch.tensor(w / w.mean(), dtype=torch.float32)

    model = nn.Sequential(nn.Linear(X_tr.shape[1], 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(weight=w, label_smoothing=0.05),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-3),
        batch_size=64,
    )
