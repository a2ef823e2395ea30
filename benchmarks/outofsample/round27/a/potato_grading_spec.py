"""Potato packhouse: route each tuber scanned on the optical grader to table / crisping /
seed / reject from its measured size, shape, colour and defect scores plus the field
lot's variety. Most tubers go to table, rejects are rare but costly to miss, so the
loss is class-weighted (inverse square-root frequency) with light label smoothing;
variety is an embedding, not a number."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import TensorDataset

import nndoctor

CLASSES = ["table", "crisping", "seed", "reject"]
N_VARIETIES = 14


def scan(n, rng):
    variety = rng.integers(0, N_VARIETIES, n)
    v_size = rng.normal(0, 1, N_VARIETIES)[variety]
    v_sugar = rng.normal(0, 1, N_VARIETIES)[variety]
    length = rng.normal(75, 12, n) + 6 * v_size
    width = length * rng.normal(0.68, 0.06, n)
    mass = 0.00055 * length * width ** 2 * rng.normal(1, 0.05, n)
    greening = rng.gamma(1.2, 0.6, n)
    scab = rng.gamma(1.0, 0.8, n)
    bruise = rng.gamma(1.1, 0.5, n)
    fry_colour = rng.normal(0, 1, n) - 0.8 * v_sugar
    X = np.column_stack([length, width, mass, greening, scab, bruise, fry_colour,
                         width / length]).astype(np.float32)
    s_table = 2.0 - 0.08 * np.abs(length - 78) - 0.6 * scab
    s_crisp = 0.6 + 1.0 * fry_colour + 0.02 * (length - 75)
    s_seed = 1.5 - 0.12 * (length - 45).clip(0)
    s_reject = -1.5 + 1.6 * greening + 1.2 * bruise + 0.4 * scab - 1.5
    y = np.column_stack([s_table, s_crisp, s_seed, s_reject])
    y = (y + rng.gumbel(size=y.shape) * 0.6).argmax(1)
    return X, variety.astype(np.int64), y.astype(np.int64)


class GraderNet(nn.Module):
    def __init__(self, n_num, n_var, n_out, emb=6, width=96):
        super().__init__()
        self.variety = nn.Embedding(n_var, emb)
        self.mlp = nn.Sequential(nn.Linear(n_num + emb, width), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(width, width), nn.ReLU(), nn.Linear(width, n_out))

    def forward(self, x_num, x_var):
        return self.mlp(torch.cat([x_num, self.variety(x_var)], dim=1))


def setup():
    rng = np.random.default_rng(41)
    torch.manual_seed(41)
    X, v, y = scan(4000, rng)
    tr, va = slice(0, 3200), slice(3200, None)
    mu, sd = X[tr].mean(0), X[tr].std(0)
    Xs = torch.from_numpy((X - mu) / sd)
    counts = np.bincount(y[tr], minlength=4)
    weights = torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32)
    weights = weights / weights.mean()
    train = TensorDataset(Xs[tr], torch.from_numpy(v[tr]), torch.from_numpy(y[tr]))
    val = TensorDataset(Xs[va], torch.from_numpy(v[va]), torch.from_numpy(y[va]))
    return nndoctor.Setup(
        model=GraderNet(X.shape[1], N_VARIETIES, len(CLASSES)),
        train=train,
        val=val,
        inputs=lambda batch: nndoctor.Inputs(batch[0], batch[1]),
        targets=lambda batch: batch[2],
        loss=nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-3),
        batch_size=64,
    )
