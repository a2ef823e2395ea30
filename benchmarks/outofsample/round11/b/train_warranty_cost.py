"""Warranty repair-cost model: predict the cost of a claim from product/usage attributes.

Costs are heavy-tailed (a few claims replace the whole unit, some invoices are mis-keyed), so
the target is scaled robustly (median / IQR) and fitted with a Huber loss; gradient-norm
clipping as routine insurance, warm-up then cosine decay, an EMA copy of the weights for
evaluation, early stopping on validation MAE.
"""
import copy
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def claims(n, seed):
    rng = np.random.default_rng(seed)
    age_months = rng.uniform(0, 36, n)
    usage_hours = rng.gamma(2.0, 300, n)
    model_tier = rng.integers(0, 3, n)
    region_temp = rng.normal(18, 7, n)
    prior_claims = rng.poisson(0.4, n)
    dealer_score = rng.beta(5, 2, n)
    part_price = rng.lognormal(4.0, 0.5, n)
    labour_rate = rng.normal(65, 10, n)
    X = np.column_stack([age_months, np.log1p(usage_hours), np.eye(3)[model_tier], region_temp,
                         prior_claims, dealer_score, np.log(part_price), labour_rate])
    hours = 0.5 + 0.002 * usage_hours + 0.3 * model_tier + 0.02 * np.maximum(region_temp - 25, 0) ** 2
    cost = part_price * (1 + 0.01 * age_months) + labour_rate * hours
    cost *= np.exp(rng.normal(0, 0.15, n))
    cost += 40 * rng.standard_t(2.0, n)                  # invoice noise with fat tails
    whole_unit = rng.random(n) < 0.02
    cost[whole_unit] += rng.uniform(800, 2500, whole_unit.sum())
    return X.astype(np.float32), cost.astype(np.float32)


def main():
    torch.manual_seed(3)
    X_tr, c_tr = claims(4000, seed=1)
    X_va, c_va = claims(1000, seed=2)

    cont = [0, 1, 5, 6, 7, 8, 9]                      # one-hot tier columns stay 0/1
    mu, sd = X_tr[:, cont].mean(0), X_tr[:, cont].std(0)
    X_tr[:, cont] = (X_tr[:, cont] - mu) / sd
    X_va[:, cont] = (X_va[:, cont] - mu) / sd
    med = float(np.median(c_tr))
    iqr = float(np.subtract(*np.percentile(c_tr, [75, 25])))
    t_tr, t_va = (c_tr - med) / iqr, (c_va - med) / iqr

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(t_tr)[:, None]),
                              batch_size=64, shuffle=True)
    X_va_t = torch.from_numpy(X_va)

    model = nn.Sequential(nn.Linear(X_tr.shape[1], 128), nn.ReLU(),
                          nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 1))
    ema = copy.deepcopy(model).requires_grad_(False)
    criterion = nn.HuberLoss(delta=1.0)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    max_epochs = 30
    total_steps, warmup = max_epochs * len(train_loader), 100
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup
        else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total_steps - warmup))))

    best_mae, best_state, patience, bad = float("inf"), None, 5, 0
    for epoch in range(1, max_epochs + 1):
        model.train()
        for xb, yb in train_loader:
            opt.zero_grad(set_to_none=True)
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            opt.step()
            sched.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.lerp_(pm, 0.02)
        ema.eval()
        with torch.no_grad():
            pred = ema(X_va_t).squeeze(1).numpy() * iqr + med
        mae = float(np.abs(pred - c_va).mean())
        print(f"epoch {epoch:2d}  train huber {loss.item():.4f}  val MAE {mae:.2f}")
        if mae < best_mae - 0.05:
            best_mae, best_state, bad = mae, copy.deepcopy(ema.state_dict()), 0
        else:
            bad += 1
            if bad >= patience:
                print(f"early stop at epoch {epoch}")
                break

    ema.load_state_dict(best_state)
    baseline = float(np.abs(med - c_va).mean())
    print(f"final val MAE {best_mae:.2f}  (median-only baseline {baseline:.2f})")


if __name__ == "__main__":
    main()
