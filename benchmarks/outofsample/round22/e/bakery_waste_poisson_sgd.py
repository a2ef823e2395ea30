"""Unsold loaves per product per shop per day, for a bakery chain's bake plan.

A log-linear Poisson model with per-shop and per-product embeddings, fitted on raw counts with a
hand-written momentum SGD update (no optimizer object). The intercept starts at the log of the
mean count, so the model starts as the constant-rate predictor.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(11)
rng = np.random.default_rng(11)

N_SHOPS, N_PRODUCTS, N_DAYS = 25, 18, 120
shop_eff = rng.normal(0, 0.4, N_SHOPS)
prod_eff = rng.normal(0, 0.6, N_PRODUCTS)
shop_prod = rng.normal(0, 0.25, (N_SHOPS, N_PRODUCTS))

rows = []
for day in range(N_DAYS):
    dow = day % 7
    rain = rng.random() < 0.3
    temp = 12 + 8 * math.sin(2 * math.pi * day / 365) + rng.normal(0, 3)
    holiday = rng.random() < 0.04
    for s in range(N_SHOPS):
        for p in rng.choice(N_PRODUCTS, 8, replace=False):  # each shop bakes 8 products a day
            log_rate = (0.9 + shop_eff[s] + prod_eff[p] + shop_prod[s, p]
                        + 0.35 * (dow >= 5) + 0.5 * rain - 0.02 * (temp - 12) + 0.8 * holiday)
            rows.append((day, s, p, dow, rain, (temp - 12) / 6, holiday, rng.poisson(math.exp(log_rate))))
rows = np.array(rows, dtype=np.float64)

# time split: the last four weeks are the forecast horizon
train_m = rows[:, 0] < N_DAYS - 28
val_m = ~train_m


def tensors(m):
    r = rows[m]
    shop = torch.tensor(r[:, 1], dtype=torch.long)
    prod = torch.tensor(r[:, 2], dtype=torch.long)
    dow = F.one_hot(torch.tensor(r[:, 3], dtype=torch.long), 7).float()
    dense = torch.cat([dow, torch.tensor(r[:, 4:7], dtype=torch.float32)], 1)
    return shop, prod, dense, torch.tensor(r[:, 7], dtype=torch.float32)


tr, va = tensors(train_m), tensors(val_m)

DIM = 4
params = {
    "bias": torch.tensor([math.log(tr[3].mean().item())]),
    "w": torch.zeros(tr[2].shape[1]),
    "shop": torch.randn(N_SHOPS, 1) * 0.01,
    "prod": torch.randn(N_PRODUCTS, 1) * 0.01,
    "shop_f": torch.randn(N_SHOPS, DIM) * 0.05,
    "prod_f": torch.randn(N_PRODUCTS, DIM) * 0.05,
}
for t in params.values():
    t.requires_grad_(True)
velocity = {k: torch.zeros_like(v) for k, v in params.items()}


def log_rate(shop, prod, dense):
    p = params
    inter = (p["shop_f"][shop] * p["prod_f"][prod]).sum(1)
    return p["bias"] + dense @ p["w"] + p["shop"][shop, 0] + p["prod"][prod, 0] + inter


def deviance(y, mu):
    return (2 * (torch.xlogy(y, y / mu) - (y - mu))).mean().item()


LR, MOMENTUM, L2, BATCH, EPOCHS = 0.05, 0.9, 1e-4, 256, 15
n = len(tr[3])
for epoch in range(EPOCHS):
    lr = 0.5 * LR * (1 + math.cos(math.pi * epoch / EPOCHS))  # cosine decay, set per epoch
    perm = torch.randperm(n)
    total = 0.0
    for i in range(0, n, BATCH):
        idx = perm[i:i + BATCH]
        eta = log_rate(tr[0][idx], tr[1][idx], tr[2][idx])
        loss = F.poisson_nll_loss(eta, tr[3][idx], log_input=True)
        for k in ("shop_f", "prod_f", "shop", "prod"):
            loss = loss + L2 * params[k].pow(2).sum()
        loss.backward()
        with torch.no_grad():
            for k, p in params.items():
                velocity[k].mul_(MOMENTUM).add_(p.grad)
                p -= lr * velocity[k]
                p.grad = None
        total += loss.item() * len(idx)
    with torch.no_grad():
        mu = log_rate(*va[:3]).exp()
        print(f"epoch {epoch + 1:2d} train_poisson_nll {total / n:.4f} val_deviance {deviance(va[3], mu):.4f}")

with torch.no_grad():
    mu = log_rate(*va[:3]).exp()
    const = torch.full_like(va[3], tr[3].mean().item())
    mae = (mu - va[3]).abs().mean().item()
    print(f"final val_deviance {deviance(va[3], mu):.4f} (constant-rate {deviance(va[3], const):.4f}) "
          f"val_MAE {mae:.3f} loaves")
