"""Electric bus depot: predict the energy (kWh) each bus will draw on its next duty
block so the overnight charging plan can be scheduled against the grid connection cap.
Bus and route are identifiers, so they go through embeddings (not fed as numbers);
continuous features are standardised on the training weeks and the target is
standardised too (predictions are mapped back to kWh for reporting).  The split is by
date: the last weeks are validation.  Adam under cosine decay.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import TensorDataset
import nndoctor

N_BUS, N_ROUTE = 40, 15


def duty_blocks(n, rng):
    day = np.sort(rng.integers(0, 120, n))             # day index; sorted so the split is by date
    bus = rng.integers(0, N_BUS, n)
    route = rng.integers(0, N_ROUTE, n)
    km = rng.normal(1, 0.15, n) * np.array(rng.uniform(60, 220, N_ROUTE))[route]
    temp = 12 + 10 * np.sin(2 * np.pi * (day + 30) / 365) + rng.normal(0, 4, n)
    riders = rng.gamma(4, 120, n)
    stops = km * np.array(rng.uniform(1.2, 3.5, N_ROUTE))[route]
    hilly = np.array(rng.uniform(0, 1, N_ROUTE))[route]
    bus_age = np.array(rng.uniform(0, 10, N_BUS))[bus]
    bus_eff = np.array(rng.normal(1.0, 0.06, N_BUS))[bus]
    hvac = 0.9 * np.abs(temp - 18) ** 1.2
    kwh_per_km = (0.95 + 0.25 * hilly + 0.0009 * riders / 10 + 0.004 * stops / km * 10) * bus_eff * (1 + 0.012 * bus_age)
    driver = rng.normal(1.0, 0.07, n)                    # driving style, not logged
    kwh = (km * kwh_per_km + hvac * km / 40) * driver + rng.normal(0, 6, n)
    x_num = np.column_stack([km, temp, riders, stops]).astype(np.float32)
    x_cat = np.column_stack([bus, route]).astype(np.int64)
    return x_num, x_cat, kwh.astype(np.float32)


class EnergyModel(nn.Module):
    def __init__(self, n_num=4):
        super().__init__()
        self.bus_emb = nn.Embedding(N_BUS, 6)
        self.route_emb = nn.Embedding(N_ROUTE, 6)
        self.mlp = nn.Sequential(nn.Linear(n_num + 12, 96), nn.SiLU(), nn.Linear(96, 48), nn.SiLU(), nn.Linear(48, 1))

    def forward(self, x_num, x_cat):
        h = torch.cat([x_num, self.bus_emb(x_cat[:, 0]), self.route_emb(x_cat[:, 1])], dim=1)
        return self.mlp(h).squeeze(-1)


def build():
    rng = np.random.default_rng(53)
    torch.manual_seed(53)
    x_num, x_cat, kwh = duty_blocks(4000, rng)
    cut = 3200
    mu, sd = x_num[:cut].mean(0), x_num[:cut].std(0)
    x_num = (x_num - mu) / sd
    ym, ys = kwh[:cut].mean(), kwh[:cut].std()
    t = (kwh - ym) / ys
    train = TensorDataset(torch.from_numpy(x_num[:cut]), torch.from_numpy(x_cat[:cut]), torch.from_numpy(t[:cut]))
    val = TensorDataset(torch.from_numpy(x_num[cut:]), torch.from_numpy(x_cat[cut:]), torch.from_numpy(t[cut:]))
    return EnergyModel(), train, val, (ym, ys)


def setup():
    model, train, val, _ = build()
    return nndoctor.Setup(
        model=model,
        train=train,
        val=val,
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        scheduler=lambda opt, steps: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps),
        inputs=lambda batch: nndoctor.Inputs(batch[0], batch[1]),
        targets=lambda batch: batch[2],
        batch_size=64,
    )
