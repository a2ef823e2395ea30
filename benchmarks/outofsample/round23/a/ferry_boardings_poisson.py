"""Passengers boarding per ferry departure (harbour network, 14 routes).

Counts are modelled directly with a Poisson log-rate head: route and hour-of-day
embeddings plus weather / calendar features.  The output bias starts at the log of
the mean boarding count; linear warm-up then cosine decay; gradient-norm clipping
as routine insurance against the odd event-day spike.
"""
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

N_ROUTES, N_HOURS = 14, 18          # departures 05:00 .. 22:00


def departures(n, seed):
    rng = np.random.default_rng(seed)
    route = rng.integers(0, N_ROUTES, n)
    hour = rng.integers(0, N_HOURS, n)
    dow = rng.integers(0, 7, n)
    temp = rng.normal(16, 6, n)
    rain = rng.gamma(0.6, 3.0, n) * (rng.random(n) < 0.35)
    wind = rng.gamma(2.0, 3.5, n)
    holiday = (rng.random(n) < 0.05).astype(float)
    event = (rng.random(n) < 0.02).astype(float)
    route_base = np.log(np.random.default_rng(99).gamma(2.0, 40, N_ROUTES) + 5)
    commuter = np.random.default_rng(98).random(N_ROUTES) < 0.5
    h = hour + 5
    peak = np.exp(-((h - 8) ** 2) / 2.5) + np.exp(-((h - 17.5) ** 2) / 3.0)
    leisure = np.exp(-((h - 13) ** 2) / 12)
    weekend = (dow >= 5).astype(float)
    log_rate = (route_base[route]
                + np.where(commuter[route], 1.3 * peak * (1 - weekend), 0.9 * leisure * (0.5 + weekend))
                + 0.02 * (temp - 16) * (~commuter[route]) - 0.06 * rain - 0.03 * np.maximum(wind - 8, 0)
                + 0.5 * holiday * (~commuter[route]) - 0.6 * holiday * commuter[route] + 1.0 * event
                + rng.normal(0, 0.15, n))
    y = rng.poisson(np.exp(log_rate)).astype(np.float32)
    cont = np.stack([temp, rain, wind, holiday, event, weekend,
                     np.sin(2 * np.pi * dow / 7), np.cos(2 * np.pi * dow / 7)], 1).astype(np.float32)
    return route, hour, cont, y


class BoardingModel(nn.Module):
    def __init__(self, n_cont, mean_count):
        super().__init__()
        self.route_emb = nn.Embedding(N_ROUTES, 8)
        self.hour_emb = nn.Embedding(N_HOURS, 6)
        self.mlp = nn.Sequential(nn.Linear(8 + 6 + n_cont, 64), nn.GELU(), nn.Linear(64, 64), nn.GELU())
        self.out = nn.Linear(64, 1)
        nn.init.constant_(self.out.bias, math.log(mean_count))

    def forward(self, route, hour, cont):
        h = torch.cat([self.route_emb(route), self.hour_emb(hour), cont], -1)
        return self.out(self.mlp(h)).squeeze(-1)          # log-rate


def main():
    torch.manual_seed(31)
    r_tr, h_tr, c_tr, y_tr = departures(8000, seed=1)
    r_va, h_va, c_va, y_va = departures(2000, seed=2)
    mu, sd = c_tr.mean(0), c_tr.std(0)
    c_tr, c_va = (c_tr - mu) / sd, (c_va - mu) / sd
    t = torch.from_numpy
    train_dl = DataLoader(TensorDataset(t(r_tr), t(h_tr), t(c_tr), t(y_tr)), batch_size=128, shuffle=True)

    model = BoardingModel(c_tr.shape[1], float(y_tr.mean()))
    epochs, warmup = 12, 60
    total_steps = epochs * len(train_dl)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup
        else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total_steps - warmup))))
    loss_fn = nn.PoissonNLLLoss(log_input=True, full=False)

    val_inputs = (t(r_va), t(h_va), t(c_va))
    for epoch in range(1, epochs + 1):
        model.train()
        running = 0.0
        for rb, hb, cb, yb in train_dl:
            opt.zero_grad()
            loss = loss_fn(model(rb, hb, cb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            opt.step()
            sched.step()
            running += loss.item() * len(yb)
        model.eval()
        with torch.no_grad():
            log_rate = model(*val_inputs)
            val_nll = loss_fn(log_rate, t(y_va)).item()
            mae = (log_rate.exp() - t(y_va)).abs().mean().item()
        if epoch % 3 == 0:
            print(f"epoch {epoch:2d} train nll {running / len(y_tr):.3f} val nll {val_nll:.3f} val MAE {mae:.2f} pax")

    # seasonal-naive reference: mean boarding per (route, hour) cell of the training data
    cell = np.zeros((N_ROUTES, N_HOURS))
    for r in range(N_ROUTES):
        for h in range(N_HOURS):
            m = (r_tr == r) & (h_tr == h)
            cell[r, h] = y_tr[m].mean() if m.any() else y_tr.mean()
    naive_mae = np.abs(cell[r_va, h_va] - y_va).mean()
    print(f"final val MAE {mae:.2f} passengers per departure (route x hour mean: {naive_mae:.2f}, mean load {y_va.mean():.1f})")


if __name__ == "__main__":
    main()
