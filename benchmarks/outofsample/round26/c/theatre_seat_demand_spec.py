"""Tickets sold per performance for a regional theatre network (checkup spec).

Counts are modelled directly: the network returns a log-rate and is trained with the
Poisson negative log-likelihood on the raw ticket counts, the GLM way. Venue and genre are
embedded; the output bias starts at the log of the mean count so the first steps do not
spend themselves on the offset.
"""
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset

import nndoctor

N_VENUES, N_GENRES = 36, 9


def make_shows(n, rng):
    capacity = rng.choice([180, 250, 400, 650, 900], N_VENUES)
    venue_pull = rng.normal(0, 0.3, N_VENUES)
    genre_pull = rng.normal(0, 0.4, N_GENRES)
    venue = rng.integers(0, N_VENUES, n)
    genre = rng.integers(0, N_GENRES, n)
    month = rng.integers(1, 13, n)
    weekend = rng.binomial(1, 2 / 7, n)
    price = rng.normal(35, 10, n).clip(10, 90)
    star = rng.beta(2, 5, n)
    review = rng.normal(3.6, 0.6, n).clip(1, 5)
    run_week = rng.integers(1, 9, n)
    logit = (-0.2 + venue_pull[venue] + genre_pull[genre] + 0.6 * weekend - 0.03 * (price - 35)
             + 2.0 * star + 0.5 * (review - 3.6) - 0.12 * (run_week - 1) * (review < 3.5)
             + 0.35 * np.cos(2 * math.pi * (month - 12) / 12))
    rate = capacity[venue] * 1 / (1 + np.exp(-logit))
    sold = rng.poisson(rate)
    x_num = np.stack([np.sin(2 * math.pi * month / 12), np.cos(2 * math.pi * month / 12), weekend,
                      (price - 35) / 10, (star - 0.29) / 0.16, (review - 3.6) / 0.6,
                      (run_week - 4.5) / 2.3], 1)
    return x_num.astype(np.float32), venue, genre, sold.astype(np.float32)


class DemandNet(nn.Module):
    def __init__(self, n_num=7, d_emb=8, width=64):
        super().__init__()
        self.venue = nn.Embedding(N_VENUES, d_emb)
        self.genre = nn.Embedding(N_GENRES, d_emb)
        self.mlp = nn.Sequential(nn.Linear(n_num + 2 * d_emb, width), nn.GELU(),
                                 nn.Linear(width, width), nn.GELU(), nn.Linear(width, 1))

    def forward(self, x_num, venue, genre):
        h = torch.cat([x_num, self.venue(venue), self.genre(genre)], dim=1)
        return self.mlp(h).squeeze(1)                 # log expected tickets


def setup():
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    x, v, g, sold = make_shows(6000, rng)
    n_tr = 4800
    tensors = [torch.from_numpy(x), torch.from_numpy(v), torch.from_numpy(g), torch.from_numpy(sold)]
    train = TensorDataset(*[t[:n_tr] for t in tensors])
    val = TensorDataset(*[t[n_tr:] for t in tensors])

    model = DemandNet()
    with torch.no_grad():
        model.mlp[-1].bias.fill_(math.log(float(sold[:n_tr].mean())))

    return nndoctor.Setup(
        model=model,
        train=train,
        val=val,
        inputs=lambda b: nndoctor.Inputs(b[0], b[1], b[2]),
        targets=lambda b: b[3],
        loss=nn.PoissonNLLLoss(log_input=True),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
        task="regression",
    )
