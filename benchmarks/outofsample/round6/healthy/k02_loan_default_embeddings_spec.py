"""Checkup spec: loan default (about 11% positives) from one float matrix whose first 6 columns
are standardised continuous features and whose last 3 columns hold integer category codes
(branch 0..19, product 0..5, channel 0..3) -- the fastai-style layout. The model splits the
matrix, embeds the codes (they are never used as magnitudes) and applies an MLP. The imbalance
is handled with inverse-frequency class weights in CrossEntropyLoss."""
import numpy as np
import torch
from torch import nn

import nndoctor

N_CONT, CARDS = 6, (20, 6, 4)


class TabularNet(nn.Module):
    def __init__(self, n_cont=N_CONT, cards=CARDS, hidden=32):
        super().__init__()
        self.embs = nn.ModuleList([nn.Embedding(c, min(8, (c + 1) // 2)) for c in cards])
        d_in = n_cont + sum(e.embedding_dim for e in self.embs)
        self.mlp = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Dropout(0.2),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, x):
        cont, codes = x[:, :N_CONT], x[:, N_CONT:].long()
        e = [emb(codes[:, i]) for i, emb in enumerate(self.embs)]
        return self.mlp(torch.cat([cont] + e, dim=1))


def make_loans(n, rng):
    income = rng.lognormal(10.5, 0.5, n)
    amount = rng.lognormal(9.5, 0.7, n)
    term = rng.choice([12, 24, 36, 60], n).astype(float)
    score = rng.normal(680, 60, n)
    dti = rng.beta(2, 5, n)
    years = rng.exponential(6, n)
    branch, product, channel = rng.integers(0, 20, n), rng.integers(0, 6, n), rng.integers(0, 4, n)
    b_eff = rng.normal(0, 0.6, 20); p_eff = np.array([0.0, 0.4, -0.3, 0.8, -0.6, 0.2]); c_eff = np.array([0, 0.5, -0.2, 0.9])
    logit = (-2.1 + 1.2 * np.log(amount / income) + 0.01 * (term - 36) - 0.012 * (score - 680) + 2.5 * (dti - 0.3)
             - 0.05 * years + b_eff[branch] + p_eff[product] + c_eff[channel])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    cont = np.c_[np.log(income), np.log(amount), term, score, dti, np.log1p(years)]
    return cont, np.c_[branch, product, channel], y


def setup():
    rng = np.random.default_rng(17)
    cont, codes, y = make_loans(10000, rng)
    tr, va = slice(0, 8000), slice(8000, None)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.c_[(cont - mu) / sd, codes].astype(np.float32)
    counts = np.bincount(y[tr], minlength=2)
    weights = torch.tensor(len(y[tr]) / (2 * counts), dtype=torch.float32)

    torch.manual_seed(17)
    return nndoctor.Setup(
        model=TabularNet(),
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=128,
    )
