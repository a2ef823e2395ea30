"""Solar salt pans: grade a crystallising pond's harvest (fleur de sel / coarse / washed) from its
60-day season log (evaporation, rain, brine density). A wash of rain while the first crust
forms (days 5-25) decides the grade; the brine recovers within days afterwards."""
import numpy as np
import torch
from torch import nn

import nndoctor

T_DAYS = 60


def season_logs(n, seed=5):
    rng = np.random.default_rng(seed)
    X = np.zeros((n, T_DAYS, 3), np.float32)
    y = np.zeros(n, np.int64)
    for i in range(n):
        evap = 5.0 + 1.5 * np.sin(np.linspace(0, np.pi, T_DAYS)) + rng.normal(0, 0.8, T_DAYS)
        rain = rng.gamma(0.3, 2.0, T_DAYS) * (rng.random(T_DAYS) < 0.15)
        grade = rng.integers(0, 3)
        if grade > 0:  # 1: one moderate wash, 2: heavy wash during crust formation
            day = rng.integers(5, 25)
            rain[day] += rng.uniform(8, 14) if grade == 1 else rng.uniform(22, 32)
        dens = np.empty(T_DAYS)
        d = 1.20
        for t in range(T_DAYS):
            d = d + 0.004 * (evap[t] - 5.0) - 0.0025 * rain[t] + 0.15 * (1.21 - d)
            dens[t] = d
        dens += rng.normal(0, 0.004, T_DAYS)
        X[i] = np.stack([(evap - 5.0) / 1.5, rain / 3.0, (dens - 1.21) / 0.01], 1)
        y[i] = grade
    return X, y


class PondRNN(nn.Module):
    def __init__(self, n_feat=3, hidden=48, n_cls=3):
        super().__init__()
        self.rnn = nn.RNN(n_feat, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_cls)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.head(h[-1])


def setup():
    torch.manual_seed(1)
    X, y = season_logs(1500)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return nndoctor.Setup(
        model=PondRNN(),
        train=(Xt[:1200], yt[:1200]),
        val=(Xt[1200:], yt[1200:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=64,
    )
