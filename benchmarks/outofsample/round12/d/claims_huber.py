"""Repair-cost estimation for insurance claims with a Huber loss.

Synthetic motor claims: vehicle age/value, impact speed, damaged-panel counts, region (one-hot),
garage labour rate. Costs carry heavy-tailed noise (Student-t, df=2: fraud, mis-keyed invoices),
so the model is fitted on standardised log-cost with a Huber loss, linear warm-up then cosine
decay, and routine gradient-norm clipping. Prints validation MAE in currency units.
"""
import math
import numpy as np
import torch
from torch import nn

torch.manual_seed(8)
rng = np.random.default_rng(8)


def claims(n):
    age = rng.uniform(0, 15, n)
    value = np.exp(rng.normal(9.8, 0.5, n)) * (0.9 ** age)
    speed = rng.gamma(3.0, 9.0, n)
    panels = rng.poisson(1 + speed / 20, n)
    region = rng.integers(0, 5, n)
    labour = rng.normal(55, 8, n) + 6 * (region == 0)
    airbag = (speed > 45) & (rng.random(n) < 0.7)
    log_cost = (5.2 + 0.32 * np.log(value) * 0.5 + 0.23 * panels + 0.012 * labour + 0.9 * airbag
                + 0.18 * np.log1p(speed) + 0.15 * (region == 3) - 0.015 * age)
    log_cost = log_cost + 0.25 * rng.standard_t(2, n)
    X = np.column_stack([age, np.log(value), speed, panels, labour, airbag.astype(float), np.eye(5)[region]])
    return X.astype(np.float32), np.exp(log_cost).astype(np.float32)


def main():
    X, cost = claims(7000)
    tr, va = slice(0, 5500), slice(5500, 7000)
    cont = slice(0, 5)  # the rest are binary / one-hot columns, left as they are
    mu, sd = X[tr, cont].mean(0), X[tr, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    t = np.log(cost)
    t_mu, t_sd = t[tr].mean(), t[tr].std()
    target = (t - t_mu) / t_sd
    Xt, yt = torch.from_numpy(X), torch.from_numpy(target.astype(np.float32))

    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.GELU(), nn.Linear(64, 64), nn.GELU(), nn.Linear(64, 1))
    epochs, bs = 30, 128
    steps_per_epoch = math.ceil(5500 / bs)
    total, warm = epochs * steps_per_epoch, 2 * steps_per_epoch
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
    schedule = lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm)))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    loss_fn = nn.HuberLoss(delta=1.0)

    def val_mae():
        model.eval()
        with torch.no_grad():
            pred = torch.exp(model(Xt[va]).squeeze(-1) * t_sd + t_mu)
        model.train()
        return (pred - torch.from_numpy(cost[va])).abs().mean().item()

    for epoch in range(epochs):
        perm = torch.randperm(5500)
        running = 0.0
        for s in range(0, 5500, bs):
            idx = perm[s:s + bs]
            loss = loss_fn(model(Xt[idx]).squeeze(-1), yt[idx])
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            running += loss.item() * len(idx)
        if epoch % 5 == 4:
            print(f"epoch {epoch + 1:2d} lr {scheduler.get_last_lr()[0]:.2e} train_huber {running / 5500:.4f} val_mae {val_mae():.1f}")
    baseline = np.abs(np.median(cost[tr]) - cost[va]).mean()
    print(f"final val_mae {val_mae():.1f}  (median-cost baseline {baseline:.1f})")


if __name__ == "__main__":
    main()
