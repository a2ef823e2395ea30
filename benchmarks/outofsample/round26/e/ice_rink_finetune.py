"""Ice-rink resurfacing: predict the surface-hardness reading 20 min after a resurfacing
pass, from the Zamboni log and the rink's sensors.

The arena chain has years of logs from its main rink and only a few hundred passes from
a newly opened one. The network is pre-trained on the main rink, then fine-tuned on the new
rink with the input block frozen, the middle block at a fine-tuning LR of 1e-5 and a fresh
head at 1e-3. For reference, the same network is also trained from scratch on the new rink.
"""
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(29)
rng = np.random.default_rng(29)

FEATS = ["water_temp", "water_litres", "slab_temp", "air_temp", "humidity", "mins_since_last", "skaters", "brine_temp"]


def rink(n, shift):
    water_t = rng.uniform(55, 75, n)
    litres = rng.uniform(300, 700, n)
    slab = rng.normal(-6.5 + shift, 1.0, n)
    air = rng.normal(10 + 2 * shift, 2.5, n)
    hum = rng.uniform(30, 75, n)
    mins = rng.uniform(30, 150, n)
    skaters = rng.poisson(60, n)
    brine = slab - rng.uniform(1.5, 3.5, n)
    hard = (70 - 3.0 * (slab + 6.5) - 0.02 * (litres - 500) - 0.12 * (water_t - 65) - 0.08 * (hum - 50)
            - 0.25 * (air - 10) + 1.2 * np.log(mins / 30) - 0.03 * (skaters - 60) - 1.5 * (brine - slab + 2.5)
            + 2.0 * np.tanh((litres - 500) / 150) * np.tanh((slab + 6.5) / 1.5)
            + 1.5 * shift + rng.normal(0, 0.8, n))
    return np.stack([water_t, litres, slab, air, hum, mins, skaters, brine], 1), hard


Xs, ys = rink(6000, 0.0)           # main rink
Xt, yt = rink(700, 0.8)            # new rink: warmer building, different baseline
mu, sd = Xs.mean(0), Xs.std(0)
y_mu, y_sd = ys.mean(), ys.std()
norm = lambda X: torch.tensor((X - mu) / sd, dtype=torch.float32)
tnorm = lambda y: torch.tensor((y - y_mu) / y_sd, dtype=torch.float32)[:, None]

tgt_idx = rng.permutation(len(yt))
ttr, tva = tgt_idx[:300], tgt_idx[300:]


def make_net():
    return nn.Sequential(
        nn.Sequential(nn.Linear(8, 64), nn.ReLU()),
        nn.Sequential(nn.Linear(64, 64), nn.ReLU()),
        nn.Linear(64, 1),
    )


def fit(model, param_groups, X, y, epochs, bs=64):
    opt = torch.optim.AdamW(param_groups, weight_decay=1e-4)
    loader = DataLoader(TensorDataset(X, y), batch_size=bs, shuffle=True)
    loss_fn = nn.MSELoss()
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
    return model


def r2(model, X, y):
    model.eval()
    with torch.no_grad():
        p = model(X)
    return 1 - float(((p - y) ** 2).sum() / ((y - y.mean()) ** 2).sum())


# 1) pre-train on the main rink
base = make_net()
fit(base, [{"params": base.parameters(), "lr": 2e-3}], norm(Xs), tnorm(ys), epochs=20)
Xtv, ytv = norm(Xt[tva]), tnorm(yt[tva])
print(f"pre-trained model on the new rink, before fine-tuning: R2={r2(base, Xtv, ytv):.4f}")

# 2) fine-tune on the new rink
ft = copy.deepcopy(base)
for p in ft[0].parameters():
    p.requires_grad_(False)
ft[2].reset_parameters()
fit(ft, [{"params": ft[1].parameters(), "lr": 1e-5},
         {"params": ft[2].parameters(), "lr": 1e-3}], norm(Xt[ttr]), tnorm(yt[ttr]), epochs=60, bs=32)

# 3) reference: from scratch on the 300 new-rink passes
scratch = make_net()
fit(scratch, [{"params": scratch.parameters(), "lr": 2e-3}], norm(Xt[ttr]), tnorm(yt[ttr]), epochs=60, bs=32)



def rmse(model):
    model.eval()
    with torch.no_grad():
        return float(((model(Xtv) - ytv) ** 2).mean().sqrt()) * y_sd


print(f"from scratch on new rink: R2={r2(scratch, Xtv, ytv):.4f} rmse={rmse(scratch):.3f}")
print(f"final fine-tuned val_R2={r2(ft, Xtv, ytv):.4f} rmse={rmse(ft):.3f} (noise 0.8)")
