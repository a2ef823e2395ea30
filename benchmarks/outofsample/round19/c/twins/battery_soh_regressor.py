"""State-of-health (capacity / nameplate) of Li-ion cells from cycling-log features.

Small tanh MLP written out by hand and trained with plain minibatch SGD.
"""
import math

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
rng = np.random.default_rng(0)

# ---------------------------------------------------------------- synthetic cycling logs
N = 6000
chem = rng.integers(0, 3, N)                               # NMC / LFP / NCA
cycles = rng.uniform(20, 1800, N)
temp = rng.normal(28, 7, N)                                # mean cell temperature, C
c_chg = rng.choice([0.3, 0.5, 1.0, 2.0, 3.0], N)
c_dis = rng.uniform(0.2, 2.5, N)
dod = rng.uniform(0.2, 1.0, N)
high_soc_h = rng.gamma(2.0, 40.0, N)                       # hours spent above 90 % SOC
fade_rate = np.array([1.0, 0.45, 1.3])[chem]
arrh = np.exp(0.045 * (temp - 25))
stress = (0.6 + 0.5 * c_chg ** 1.3) * (0.5 + dod ** 1.5) * arrh * fade_rate
loss = 0.0011 * stress * cycles ** 0.8 + 0.00009 * high_soc_h * arrh
knee = np.maximum(cycles - 1300 / (stress + 0.2), 0) * 0.00012 * stress
soh = np.clip(1.0 - loss - knee + rng.normal(0, 0.006, N), 0.55, 1.02)

# features an analyst would extract from each cycle (IC curve, DCIR, CV time)
r_int = 18 + 22 * (1 - soh) * (1 + 0.3 * chem) + rng.normal(0, 1.2, N)          # mOhm
ic_peak = 9.0 * soh ** 2 * np.array([1.0, 1.6, 0.9])[chem] + rng.normal(0, 0.25, N)
ic_pos = 3.68 + 0.12 * (1 - soh) + 0.02 * chem + rng.normal(0, 0.006, N)       # V
cv_time = 12 + 70 * (1 - soh) * c_chg ** 0.5 + rng.normal(0, 2.0, N)            # min
X = np.column_stack([np.log(cycles), temp, c_chg, c_dis, dod, np.log1p(high_soc_h),
                     r_int, ic_peak, ic_pos, cv_time, np.eye(3)[chem]]).astype(np.float32)
y = (100 * soh).astype(np.float32)                         # percent

perm = rng.permutation(N)
tr, va = perm[:4800], perm[4800:]
x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()
Xt = torch.from_numpy((X - x_mu) / x_sd)
yt = torch.from_numpy((y - y_mu) / y_sd)


# ---------------------------------------------------------------- model
class Affine(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in) / n_in ** 0.5)
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return x @ self.weight.t() + self.bias


hidden = 64
model = nn.Sequential(
    Affine(Xt.shape[1], hidden), nn.Tanh(),
    Affine(hidden, hidden), nn.Tanh(),
    nn.Linear(hidden, 1),
)

base_lr = 0.1
batch_size = 64
epochs = 50
loss_fn = nn.MSELoss()

for epoch in range(epochs):
    lr = base_lr * 0.5 * (1 + math.cos(math.pi * epoch / epochs))
    model.train()
    order = torch.from_numpy(rng.permutation(tr))
    running = 0.0
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        pred = model(Xt[idx]).squeeze(-1)
        loss = loss_fn(pred, yt[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        pv = model(Xt[va]).squeeze(-1)
        val_loss = loss_fn(pv, yt[va]).item()
    if epoch % 5 == 4 or epoch == epochs - 1:
        rmse = (pv * y_sd - (yt[va] * y_sd)).pow(2).mean().sqrt().item()
        print(f"epoch {epoch + 1:2d}  train mse {running / len(tr):.4f}  val mse {val_loss:.4f}  val RMSE {rmse:.3f} %SOH")

r2 = 1 - val_loss / yt[va].var(unbiased=False).item()
print(f"final val RMSE {rmse:.3f} %SOH, R2 {r2:.4f}")
