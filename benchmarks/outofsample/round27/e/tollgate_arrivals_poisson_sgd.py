"""Toll plaza staffing: predict vehicle arrivals per lane per 5-minute slot from the
calendar, the lane type and the weather, so supervisors can open or close cash booths.
Counts are modelled as Poisson with a log-rate network (targets stay raw counts, as a
Poisson likelihood wants); the output bias starts at the log of the mean count.  No
optimizer object: a hand-written minibatch SGD update with a step decay.  Held-out
deviance is summed over slots and divided once at the end.
"""
import math
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(23)
rng = np.random.default_rng(23)
LANES = ["etc", "cash", "card", "truck"]


def plaza_slots(n):
    minute = rng.integers(0, 24 * 12, n) * 5
    dow = rng.integers(0, 7, n)
    lane = rng.integers(0, len(LANES), n)
    rain = rng.exponential(0.6, n) * (rng.random(n) < 0.3)
    holiday = (rng.random(n) < 0.05).astype(float)
    event = (rng.random(n) < 0.04).astype(float)
    h = minute / 60.0
    commute = np.exp(-((h - 8) ** 2) / 2) + 0.8 * np.exp(-((h - 17.5) ** 2) / 3)
    weekend = (dow >= 5).astype(float)
    night = np.exp(-((h - 3) ** 2) / 6)
    lane_base = np.array([2.6, 1.2, 1.6, 0.9])[lane]
    log_rate = (lane_base + 1.3 * commute * (1 - 0.7 * weekend) - 1.6 * night
                + 0.35 * weekend * np.exp(-((h - 13) ** 2) / 8) - 0.25 * rain
                + 0.5 * holiday * (lane != 3) - 0.8 * holiday * (lane == 3) + 0.9 * event)
    counts = rng.poisson(np.exp(log_rate))
    ang = 2 * math.pi * minute / 1440
    X = np.column_stack([np.sin(ang), np.cos(ang), np.sin(2 * ang), np.cos(2 * ang),
                         np.eye(7)[dow], np.eye(len(LANES))[lane], rain, holiday, event])
    return X.astype(np.float32), counts.astype(np.float32)


def poisson_deviance_sum(mu, y):
    return 2 * torch.sum(torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(y)) - (y - mu))


def main():
    X, y = plaza_slots(9000)
    Xtr, ytr = torch.from_numpy(X[:7000]), torch.from_numpy(y[:7000])
    Xte, yte = torch.from_numpy(X[7000:]), torch.from_numpy(y[7000:])

    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.Tanh(), nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 1))
    with torch.no_grad():
        model[-1].bias.fill_(math.log(ytr.mean().item()))
    params = [p for p in model.parameters()]

    lr, bs, epochs = 0.02, 64, 30
    for epoch in range(epochs):
        if epoch in (18, 26):
            lr *= 0.3
        perm = torch.randperm(len(ytr))
        total = 0.0
        for i in range(0, len(perm), bs):
            idx = perm[i:i + bs]
            log_mu = model(Xtr[idx]).squeeze(-1)
            loss = F.poisson_nll_loss(log_mu, ytr[idx], log_input=True)
            for p in params:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
            total += loss.item() * len(idx)
        if epoch % 5 == 4 or epoch == epochs - 1:
            with torch.no_grad():
                mu = model(Xte).squeeze(-1).exp()
                dev = poisson_deviance_sum(mu, yte)
                null = poisson_deviance_sum(torch.full_like(yte, ytr.mean().item()), yte)
            print(f"epoch {epoch + 1:2d} lr {lr:.4f} train_nll {total / len(ytr):.4f} "
                  f"test mean deviance {dev.item() / len(yte):.4f}")
    print(f"final test deviance explained D2 {1 - dev.item() / null.item():.4f} "
          f"(mean deviance {dev.item() / len(yte):.4f}, null {null.item() / len(yte):.4f})")


if __name__ == "__main__":
    main()
