"""Motor-insurance claim severity (cost per claim) with a Huber loss.

Claim costs are heavy-tailed (a few total losses and bodily-injury claims dominate the
variance), so the target is log-cost, standardised, and fitted with a Huber loss that
stops the tail from steering every step. Categorical rating factors go through embeddings.
Warm-up then cosine decay, clipping kept on as routine insurance.
"""
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2024)
rng = np.random.default_rng(2024)

N = 12000
REGIONS, VEHICLE_GROUPS, COVERS = 22, 15, 4


def portfolio(n):
    region = rng.integers(0, REGIONS, n)
    vgroup = rng.integers(0, VEHICLE_GROUPS, n)
    cover = rng.choice(COVERS, n, p=[0.5, 0.25, 0.15, 0.1])
    driver_age = rng.uniform(18, 85, n)
    vehicle_age = rng.gamma(2.0, 3.0, n)
    power_kw = rng.lognormal(4.4, 0.35, n)
    bonus_malus = rng.uniform(50, 150, n)
    density = rng.lognormal(6.0, 1.2, n)
    region_eff = rng.normal(0, 0.25, REGIONS)[region]
    group_eff = np.linspace(-0.4, 0.5, VEHICLE_GROUPS)[vgroup]
    cover_eff = np.array([0.0, 0.3, 0.55, 0.9])[cover]
    mu = (7.2 + region_eff + group_eff + cover_eff + 0.004 * (power_kw - 80)
          - 0.03 * vehicle_age + 0.25 * np.exp(-(driver_age - 18) / 8) + 0.004 * (bonus_malus - 100)
          + 0.05 * np.log(density))
    # lognormal body plus a Pareto-like tail of large losses
    cost = np.exp(mu + rng.normal(0, 0.4, n))
    large = rng.random(n) < 0.03
    cost[large] *= rng.pareto(1.6, large.sum()) * 6 + 4
    num = np.column_stack([driver_age, vehicle_age, np.log(power_kw), bonus_malus, np.log(density)])
    cat = np.column_stack([region, vgroup, cover])
    return num.astype(np.float32), cat.astype(np.int64), cost.astype(np.float32)


num, cat, cost = portfolio(N)
n_tr, n_va = 9000, 1500
mu_x, sd_x = num[:n_tr].mean(0), num[:n_tr].std(0)
num = (num - mu_x) / sd_x
log_cost = np.log(cost)
y_mu, y_sd = log_cost[:n_tr].mean(), log_cost[:n_tr].std()
y = (log_cost - y_mu) / y_sd


def loader(sl, shuffle, bs):
    ds = TensorDataset(torch.from_numpy(num[sl]), torch.from_numpy(cat[sl]), torch.from_numpy(y[sl]).unsqueeze(1))
    return DataLoader(ds, batch_size=bs, shuffle=shuffle)


train_dl = loader(slice(0, n_tr), True, 128)
val_dl = loader(slice(n_tr, n_tr + n_va), False, 1024)
test_dl = loader(slice(n_tr + n_va, N), False, 1024)


class SeverityNet(nn.Module):
    def __init__(self, n_num):
        super().__init__()
        self.region = nn.Embedding(REGIONS, 6)
        self.vgroup = nn.Embedding(VEHICLE_GROUPS, 4)
        self.cover = nn.Embedding(COVERS, 3)
        self.mlp = nn.Sequential(nn.Linear(n_num + 13, 96), nn.SiLU(), nn.Dropout(0.1),
                                 nn.Linear(96, 48), nn.SiLU(), nn.Linear(48, 1))

    def forward(self, x_num, x_cat):
        e = torch.cat([self.region(x_cat[:, 0]), self.vgroup(x_cat[:, 1]), self.cover(x_cat[:, 2])], 1)
        return self.mlp(torch.cat([x_num, e], 1))


model = SeverityNet(num.shape[1])
loss_fn = nn.HuberLoss(delta=1.0)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
EPOCHS = 25
total_steps = EPOCHS * len(train_dl)
warmup = 2 * len(train_dl)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup
    else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total_steps - warmup))))


@torch.no_grad()
def median_abs_error(dl):
    model.eval()
    pred = torch.cat([model(a, b) for a, b, _ in dl]).squeeze(1).numpy()
    true = torch.cat([t for _, _, t in dl]).squeeze(1).numpy()
    return float(np.median(np.abs(pred - true))), pred


for epoch in range(EPOCHS):
    model.train()
    run = 0.0
    for x_num, x_cat, target in train_dl:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x_num, x_cat), target)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        run += loss.item() * len(target)
    if epoch % 5 == 4:
        val_mdae, _ = median_abs_error(val_dl)
        print(f"epoch {epoch + 1:2d}  train_huber {run / n_tr:.4f}  val_MdAE(std log) {val_mdae:.4f}")

_, pred = median_abs_error(test_dl)
pred_cost = np.exp(pred * y_sd + y_mu)
true_cost = cost[n_tr + n_va:]
base = np.exp(np.median(log_cost[:n_tr]))
mdape = float(np.median(np.abs(pred_cost - true_cost) / true_cost)) * 100
base_mdape = float(np.median(np.abs(base - true_cost) / true_cost)) * 100
log_pred, log_true = pred * y_sd + y_mu, log_cost[n_tr + n_va:]
r2_log = 1 - np.mean((log_pred - log_true) ** 2) / np.var(log_true)
print(f"test R2 on log-cost {r2_log:.3f}")
print(f"test median APE {mdape:.1f}%  (portfolio-median baseline {base_mdape:.1f}%)")
