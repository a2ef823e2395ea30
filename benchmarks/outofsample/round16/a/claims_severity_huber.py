"""Motor-insurance claim severity: predict the cost of a claim from policy and incident
features. Claim costs are heavy-tailed (a few total losses and injury claims), so the
network is trained on robust-scaled log costs with a Huber loss, a warm-up + cosine
schedule, gradient clipping and an EMA of the weights that is kept for serving."""
import copy
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def simulate_claims(n, rng):
    driver_age = rng.uniform(18, 80, n)
    vehicle_value = rng.lognormal(9.8, 0.5, n)
    vehicle_age = rng.integers(0, 20, n).astype(float)
    speed_kmh = rng.gamma(4, 12, n)
    urban = (rng.random(n) < 0.6).astype(float)
    night = (rng.random(n) < 0.25).astype(float)
    n_parties = rng.integers(1, 4, n).astype(float)
    prior_claims = rng.poisson(0.4, n).astype(float)
    injury = (rng.random(n) < 0.05 + 0.004 * speed_kmh).astype(float)
    log_cost = (6.0 + 0.45 * np.log(vehicle_value / 18000) - 0.03 * vehicle_age
                + 0.018 * speed_kmh + 0.25 * (n_parties - 1) + 0.2 * night
                + 0.02 * np.abs(driver_age - 45) / 10 + 1.4 * injury - 0.15 * urban)
    log_cost += rng.standard_t(3, n) * 0.25
    cost = np.exp(log_cost)
    total_loss = rng.random(n) < 0.02
    cost[total_loss] = vehicle_value[total_loss] * rng.uniform(0.8, 1.1, total_loss.sum())
    X = np.column_stack([driver_age, np.log(vehicle_value), vehicle_age, speed_kmh, urban, night,
                         n_parties, prior_claims, injury])
    return X.astype(np.float32), cost.astype(np.float32)


def main():
    torch.manual_seed(12)
    rng = np.random.default_rng(12)
    X, cost = simulate_claims(6000, rng)
    n_tr = 4800
    x_mu, x_sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    Xs = torch.from_numpy((X - x_mu) / x_sd)
    log_cost = np.log(cost)
    med = np.median(log_cost[:n_tr])
    iqr = np.subtract(*np.percentile(log_cost[:n_tr], [75, 25]))
    ys = torch.from_numpy(((log_cost - med) / iqr).astype(np.float32))

    loader = DataLoader(TensorDataset(Xs[:n_tr], ys[:n_tr]), batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(X.shape[1], 128), nn.SiLU(), nn.Linear(128, 64), nn.SiLU(),
                          nn.Linear(64, 1))
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)

    epochs = 15
    total_steps = epochs * len(loader)
    warmup = 100
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup
        else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total_steps - warmup))))
    loss_fn = nn.HuberLoss(delta=1.0)

    for epoch in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb).squeeze(-1), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            opt.step()
            sched.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(0.99).add_(pm, alpha=0.01)
        ema.eval()
        with torch.no_grad():
            val_loss = loss_fn(ema(Xs[n_tr:]).squeeze(-1), ys[n_tr:]).item()
        if (epoch + 1) % 5 == 0:
            print(f"epoch {epoch + 1:2d} train_huber {loss.item():.4f} val_huber(ema) {val_loss:.4f}")

    torch.save(ema, "/tmp/claims_severity_ema.pt")
    with torch.no_grad():
        pred_log = ema(Xs[n_tr:]).squeeze(-1).numpy() * iqr + med
    true = cost[n_tr:]
    median_err = np.median(np.abs(np.exp(pred_log) - true) / true)
    base_err = np.median(np.abs(np.exp(med) - true) / true)
    mae_log = np.abs(pred_log - log_cost[n_tr:]).mean()
    print(f"final val_mae_log {mae_log:.4f} (constant median {np.abs(med - log_cost[n_tr:]).mean():.4f}) "
          f"median_rel_err {median_err:.3f} (constant {base_err:.3f})")


if __name__ == "__main__":
    main()
