"""Overnight guests at an alpine hut, three days ahead.

Predicts how many guests will sleep at the hut from the booking book three days out, the forecast
and the calendar. Group bookings make the target heavy-tailed, so the loss is Huber in guests, the
output bias starts at the median night, and a plain SGD update keeps an EMA copy of the weights
that is saved whole and reloaded for scoring. Bookings are simulated (seeded).
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn


def booking_book(n, rng):
    dow = rng.integers(0, 7, n)
    week = rng.integers(22, 40, n)                          # June to September
    booked = rng.poisson(18 + 10 * (dow >= 4), n).astype(float)
    sun_hours = np.clip(rng.normal(7, 3, n), 0, 14)
    precip = rng.gamma(0.8, 4.0, n)
    snow_line = rng.normal(2600, 350, n)
    holiday = (rng.random(n) < 0.12).astype(float)
    season = np.exp(-0.5 * ((week - 31) / 4.5) ** 2)
    walk_ins = (6 + 16 * season) * (1 + 0.08 * (sun_hours - 7)) * np.exp(-0.05 * precip)
    walk_ins *= 1 + 0.5 * holiday
    cancellations = booked * np.clip(0.04 + 0.015 * precip, 0, 0.6)
    groups = rng.binomial(1, 0.08, n) * rng.integers(10, 30, n)   # school and club groups
    guests = booked - cancellations + walk_ins + groups + rng.normal(0, 2.5, n)
    guests = np.clip(guests, 0, 90)
    cont = np.stack([booked, sun_hours, precip, snow_line, week, holiday], 1)
    onehot = np.eye(7)[dow]
    return cont.astype(np.float32), onehot.astype(np.float32), guests.astype(np.float32)


def main():
    torch.manual_seed(13)
    rng = np.random.default_rng(13)
    cont, dow, y = booking_book(2600, rng)
    n_tr = 2000
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    X = np.concatenate([(cont - mu) / sd, dow], 1)
    Xtr, ytr = torch.tensor(X[:n_tr]), torch.tensor(y[:n_tr])
    Xva, yva = torch.tensor(X[n_tr:]), torch.tensor(y[n_tr:])

    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                          nn.Linear(64, 1))
    with torch.no_grad():
        model[-1].bias.fill_(float(ytr.median()))
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)

    loss_fn = nn.HuberLoss(delta=4.0)
    lr, decay, batch = 0.02, 0.995, 32
    for epoch in range(30):
        perm = torch.randperm(n_tr)
        for i in range(0, n_tr, batch):
            idx = perm[i:i + batch]
            loss = loss_fn(model(Xtr[idx]).squeeze(1), ytr[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                for pe, p in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(p, alpha=1 - decay)
        if epoch % 10 == 9:
            print(f"epoch {epoch + 1}: last batch Huber {loss.item():.3f}")

    path = os.path.join(tempfile.mkdtemp(), "hut_ema.pt")
    torch.save(ema, path)
    scorer = torch.load(path, weights_only=False)
    scorer.eval()
    abs_err, sq_err = 0.0, 0.0
    with torch.no_grad():
        for i in range(0, len(Xva), 200):
            pred = scorer(Xva[i:i + 200]).squeeze(1)
            abs_err += (pred - yva[i:i + 200]).abs().sum().item()
            sq_err += ((pred - yva[i:i + 200]) ** 2).sum().item()
    mae, mse = abs_err / len(Xva), sq_err / len(Xva)
    print(f"val MAE {mae:.2f} guests  R2 {1 - mse / yva.var().item():.3f}  "
          f"(median-night MAE {(yva - ytr.median()).abs().mean():.2f})")


if __name__ == "__main__":
    main()
