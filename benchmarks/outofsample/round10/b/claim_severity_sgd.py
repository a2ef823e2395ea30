"""Motor claim severity (log cost) from policy features: plain-SGD MLP with an EMA copy.

Heavy-tailed inputs are scaled with median/IQR; the target is log1p(cost), standardised.
"""
import copy
import math
import os
import tempfile

import numpy as np
import torch
from torch import nn


def policies(n, seed):
    rng = np.random.default_rng(seed)
    vehicle_value = rng.lognormal(np.log(18000), 0.6, n)
    driver_age = np.clip(rng.gamma(9, 5, n), 18, 90)
    mileage = rng.lognormal(np.log(11000), 0.5, n)
    engine_kw = rng.lognormal(np.log(85), 0.35, n)
    urban = (rng.random(n) < 0.55).astype(float)
    prior_claims = rng.poisson(0.4, n)
    log_cost = (6.4 + 0.55 * np.log(vehicle_value / 18000) + 0.012 * (driver_age - 45) ** 2 / 10
                + 0.25 * np.log(mileage / 11000) + 0.35 * np.log(engine_kw / 85) + 0.3 * urban
                + 0.18 * prior_claims + rng.normal(0, 0.45, n))
    X = np.column_stack([vehicle_value, driver_age, mileage, engine_kw, prior_claims, urban])
    return X.astype(np.float32), np.expm1(log_cost).astype(np.float32)


def robust_scale(train, *others):
    med = np.median(train, axis=0)
    iqr = np.percentile(train, 75, axis=0) - np.percentile(train, 25, axis=0)
    iqr[iqr == 0] = 1.0
    return [(a - med) / iqr for a in (train, *others)]


def sse(model, X, y, bs=512):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for i in range(0, len(X), bs):
            total += nn.functional.mse_loss(model(X[i:i + bs]), y[i:i + bs], reduction="sum").item()
    return total


def main():
    torch.manual_seed(2024)
    X, cost = policies(5000, seed=2024)
    X_tr, X_va = X[:4000], X[4000:]
    cont = [0, 1, 2, 3, 4]
    Xs_tr, Xs_va = X_tr.copy(), X_va.copy()
    Xs_tr[:, cont], Xs_va[:, cont] = robust_scale(np.log1p(X_tr[:, cont]), np.log1p(X_va[:, cont]))
    t_tr, t_va = np.log1p(cost[:4000]), np.log1p(cost[4000:])
    t_mu, t_sd = t_tr.mean(), t_tr.std()
    Xt, yt = torch.from_numpy(Xs_tr), torch.from_numpy((t_tr - t_mu) / t_sd).unsqueeze(1)
    Xv, yv = torch.from_numpy(Xs_va), torch.from_numpy((t_va - t_mu) / t_sd).unsqueeze(1)

    model = nn.Sequential(nn.Linear(6, 48), nn.Tanh(), nn.Linear(48, 48), nn.Tanh(), nn.Linear(48, 1))
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)

    lr0, bs, epochs, decay = 0.05, 32, 20, 0.995
    for epoch in range(epochs):
        lr = lr0 * 0.5 * (1 + math.cos(math.pi * epoch / epochs))
        model.train()
        perm = torch.randperm(len(Xt))
        for i in range(0, len(Xt), bs):
            idx = perm[i:i + bs]
            loss = nn.functional.mse_loss(model(Xt[idx]), yt[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                for pe, p in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(p, alpha=1 - decay)
        if epoch % 5 == 4:
            print(f"epoch {epoch + 1:2d} lr {lr:.4f} train_mse {sse(model, Xt, yt) / len(Xt):.4f} "
                  f"val_mse {sse(model, Xv, yv) / len(Xv):.4f} ema_val_mse {sse(ema, Xv, yv) / len(Xv):.4f}")

    path = os.path.join(tempfile.mkdtemp(), "claim_severity_ema.pt")
    torch.save(ema, path)
    served = torch.load(path, weights_only=False)
    r2 = 1 - sse(served, Xv, yv) / ((yv - yv.mean()) ** 2).sum().item()
    print(f"final val_R2(log cost) {r2:.4f}")


if __name__ == "__main__":
    main()
