"""Checkup spec: people counting on 24x24 occupancy-sensor grids (ceiling thermal sensors
over station concourses). Each grid holds warm blobs (people, partly overlapping) over a
floor whose temperature drifts; the target is the head count. Counts are divided by a fixed
scale (10) and the network ends in a Softplus, because a count is never negative; the last
bias starts at the inverse-softplus of the mean scaled count so the initial prediction is the
mean. Loss: Huber on the scaled count (crowded frames have a few very large counts).
"""
import numpy as np
import torch
from torch import nn
import nndoctor

COUNT_SCALE = 10.0


def make_frames(n, rng):
    S = 24
    yy, xx = np.mgrid[0:S, 0:S]
    X = np.empty((n, 1, S, S), dtype=np.float32)
    counts = np.empty(n, dtype=np.float32)
    for i in range(n):
        busy = rng.random() < 0.15                                  # train arrival surges
        k = rng.poisson(28 if busy else 8)
        floor = 21 + rng.normal(0, 1.0) + 0.08 * (xx - 12) * rng.normal(0, 1)
        img = floor + rng.normal(0, 0.35, (S, S))
        for _ in range(k):
            cy, cx = rng.uniform(0, S, 2)
            img += rng.uniform(5, 9) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * rng.uniform(0.8, 1.3) ** 2))
        X[i, 0] = img
        counts[i] = k
    return X, counts


class CountNet(nn.Module):
    def __init__(self, mean_scaled_count):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.density = nn.Conv2d(32, 1, 1)                  # per-cell density, summed to a count
        self.out = nn.Softplus()
        with torch.no_grad():
            # softplus^-1(mean) spread over the 6x6 cells: the initial prediction is the mean count
            cells = 6 * 6
            self.density.bias.fill_(float(np.log(np.expm1(mean_scaled_count))) / cells)

    def forward(self, x):
        d = self.density(self.features(x)).sum((1, 2, 3))
        return self.out(d).unsqueeze(1)


def setup():
    rng = np.random.default_rng(31)
    torch.manual_seed(31)
    X, c = make_frames(2400, rng)
    mu, sd = X[:1900].mean(), X[:1900].std()
    X = (X - mu) / sd
    y = (c / COUNT_SCALE)[:, None]
    mean_y = float(y[:1900].mean())
    model = CountNet(mean_y)
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X[:1900]), torch.tensor(y[:1900])),
        val=(torch.tensor(X[1900:]), torch.tensor(y[1900:])),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
