"""Vaccine cold chain: remaining potency (%) of a lot at the district store.

Each shipment's data logger gives summaries of the route: hours above 8 C,
peak temperature, hours below 0 C (freeze risk), number of door openings,
transit days, number of hand-overs, ambient season temperature, box type,
ice-pack count, lot age at dispatch. Potency is measured by the lab on arrival.
The network is trained with a plain hand-written SGD update.
"""
import math
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
rng = np.random.default_rng(0)

N = 3000
hours_warm = rng.gamma(1.5, 6.0, N)
peak_temp = 8 + rng.gamma(2.0, 2.5, N) * (hours_warm > 1)
hours_freeze = rng.gamma(0.6, 3.0, N) * (rng.random(N) < 0.35)
door_open = rng.poisson(6, N)
transit_days = rng.uniform(1, 12, N)
handovers = rng.integers(1, 7, N)
ambient = rng.normal(26, 6, N)
box_type = rng.integers(0, 2, N)          # 0 = cold box, 1 = vaccine carrier
ice_packs = rng.integers(2, 13, N)
lot_age = rng.uniform(10, 300, N)        # days since manufacture

# Arrhenius-style heat loss, a sharp freeze penalty and slow ageing
heat_dose = hours_warm * np.exp(0.08 * (peak_temp - 8))
potency = (100 - 0.9 * np.sqrt(heat_dose) * (1 + 0.3 * box_type)
           - 18 * (1 - np.exp(-hours_freeze / 2.0))
           - 0.025 * lot_age - 0.4 * door_open * (ambient > 30)
           + 0.25 * ice_packs - 0.3 * handovers
           + rng.normal(0, 1.5, N))

X = np.stack([hours_warm, peak_temp, hours_freeze, door_open, transit_days, handovers,
              ambient, box_type, ice_packs, lot_age], 1).astype(np.float32)
y = potency.astype(np.float32)

n_tr = 2400
x_mu, x_sd = X[:n_tr].mean(0), X[:n_tr].std(0)
y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
X = (X - x_mu) / x_sd
y = (y - y_mu) / y_sd
Xtr, ytr = torch.tensor(X[:n_tr]), torch.tensor(y[:n_tr]).unsqueeze(1)
Xva, yva = torch.tensor(X[n_tr:]), torch.tensor(y[n_tr:]).unsqueeze(1)

model = nn.Sequential(
    nn.Linear(10, 64), nn.Tanh(),
    nn.Linear(64, 64), nn.Tanh(),
    nn.Linear(64, 1),
)

lr, batch_size, epochs = 0.05, 32, 30


def evaluate():
    model.eval()
    sse = 0.0
    with torch.no_grad():
        for i in range(0, len(Xva), 256):
            pred = model(Xva[i:i + 256])
            sse += F.mse_loss(pred, yva[i:i + 256], reduction="sum").item()
    model.train()
    return math.sqrt(sse / len(Xva)) * y_sd   # RMSE in potency points


for epoch in range(epochs):
    perm = torch.randperm(n_tr)
    for i in range(0, n_tr, batch_size):
        idx = perm[i:i + batch_size]
        pred = model(Xtr[idx])
        loss = F.mse_loss(pred, ytr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:3d}  batch_loss {loss.item():.4f}  val_rmse {evaluate():.3f}")

print(f"final val_rmse {evaluate():.3f} (potency points; target std {y_sd:.2f})")
