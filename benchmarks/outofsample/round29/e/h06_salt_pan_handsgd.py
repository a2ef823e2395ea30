"""Solar salt works: predict tomorrow's brine density gain in a concentration pan.

Drivers: solar radiation, air temperature, relative humidity, wind, brine depth and the
brine's current density (degrees Baume). Evaporation follows a Penman-style balance of
radiation and vapour-pressure deficit; the density gain per millimetre evaporated grows as
the pan gets shallower and stalls once halite starts to crystallise near 25.7 Be.
A small tanh MLP (Xavier init) is trained with a hand-written SGD update (heavy-ball
momentum, `p -= lr * v`) and a hand-written step decay; validation error is accumulated
with a summed loss and divided by the count at the end.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(2)
rng = np.random.default_rng(2)

n = 2600
rad = rng.uniform(8, 30, n)               # MJ/m2/day
temp = rng.uniform(12, 36, n)             # C
rh = rng.uniform(25, 95, n)               # %
wind = rng.gamma(2.5, 1.4, n)             # m/s
depth = rng.uniform(40, 300, n)           # mm
baume = rng.uniform(4, 27, n)             # current density

es = 0.6108 * np.exp(17.27 * temp / (temp + 237.3))
vpd = es * (1 - rh / 100)
evap = 0.16 * rad + 1.1 * (1 + 0.5 * wind) * vpd                 # mm/day
evap *= 1 - 0.025 * np.clip(baume - 10, 0, None)                 # brine activity lowers evaporation
gain = 0.35 * evap / depth * (baume + 2) / (1 + np.exp(3.0 * (baume - 25.7)))
gain = gain + rng.normal(0, 0.02 + 0.03 * gain, n)

X = np.stack([rad, temp, rh, wind, np.log(depth), baume], 1)
perm = rng.permutation(n)
tr, va = perm[:2000], perm[2000:]
x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = gain[tr].mean(), gain[tr].std()
Xtr = torch.tensor((X[tr] - x_mu) / x_sd, dtype=torch.float32)
Xva = torch.tensor((X[va] - x_mu) / x_sd, dtype=torch.float32)
ytr = torch.tensor((gain[tr] - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)
yva = torch.tensor((gain[va] - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)

model = nn.Sequential(nn.Linear(6, 48), nn.Tanh(), nn.Linear(48, 48), nn.Tanh(), nn.Linear(48, 1))
for m in model:
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)

lr, momentum, batch_size, epochs = 0.02, 0.9, 32, 60
velocity = [torch.zeros_like(p) for p in model.parameters()]
for epoch in range(epochs):
    if epoch in (30, 45):
        lr *= 0.3
    model.train()
    order = torch.randperm(len(Xtr))
    train_sse = 0.0
    for i in range(0, len(order), batch_size):
        b = order[i:i + batch_size]
        loss = nn.functional.mse_loss(model(Xtr[b]), ytr[b])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(momentum).add_(p.grad)
                p -= lr * v
        train_sse += loss.item() * len(b)
    if epoch % 10 == 9 or epoch == epochs - 1:
        model.eval()
        sse = 0.0
        with torch.no_grad():
            for i in range(0, len(Xva), 200):
                sse += nn.functional.mse_loss(model(Xva[i:i + 200]), yva[i:i + 200], reduction="sum").item()
        val_mse = sse / len(Xva)
        print(f"epoch {epoch + 1:3d} lr {lr:.3f} train_mse {train_sse / len(Xtr):.4f} val_mse {val_mse:.4f}")

with torch.no_grad():
    pred = model(Xva).squeeze(1).numpy() * y_sd + y_mu
true = gain[va]
rmse = np.sqrt(((pred - true) ** 2).mean())
r2 = 1 - ((pred - true) ** 2).sum() / ((true - true.mean()) ** 2).sum()
print(f"final val RMSE {rmse:.4f} Be/day  R2 {r2:.4f}")
