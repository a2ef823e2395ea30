"""Surrogate model of a counter-flow heat exchanger.

Predicts the outlet temperature of the cold stream from 9 operating variables
(inlet temperatures, mass flows, fouling factor, ...). The simulator outputs are
standardised; a smooth tanh MLP is the surrogate, trained with a plain hand-written
minibatch SGD loop (the surrogate is later differentiated by an optimiser, hence tanh).
"""
import math

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(21)
rng = np.random.default_rng(21)


def simulate(n):
    t_hot = rng.uniform(340, 420, n)       # K
    t_cold = rng.uniform(280, 320, n)      # K
    m_hot = rng.uniform(0.2, 2.0, n)       # kg/s
    m_cold = rng.uniform(0.2, 2.0, n)
    cp_hot = rng.uniform(2000, 4200, n)    # J/kg/K
    cp_cold = rng.uniform(3800, 4200, n)
    area = rng.uniform(5, 40, n)           # m2
    u0 = rng.uniform(300, 900, n)          # W/m2/K
    fouling = rng.uniform(0, 4e-4, n)      # m2K/W
    U = 1.0 / (1.0 / u0 + fouling)
    C_h, C_c = m_hot * cp_hot, m_cold * cp_cold
    C_min, C_max = np.minimum(C_h, C_c), np.maximum(C_h, C_c)
    Cr = C_min / C_max
    ntu = U * area / C_min
    e = (1 - np.exp(-ntu * (1 - Cr))) / (1 - Cr * np.exp(-ntu * (1 - Cr)) + 1e-9)
    q = e * C_min * (t_hot - t_cold)
    t_out = t_cold + q / C_c + rng.normal(0, 0.3, n)
    X = np.stack([t_hot, t_cold, m_hot, m_cold, cp_hot, cp_cold, area, u0, fouling], 1)
    return X.astype(np.float32), t_out.astype(np.float32)


class Surrogate(nn.Module):
    def __init__(self, d_in, width=128):
        super().__init__()
        self.hidden = nn.Sequential(
            nn.Linear(d_in, width), nn.Tanh(),
            nn.Linear(width, width), nn.Tanh(),
            nn.Linear(width, width), nn.Tanh(),
        )
        self.out = nn.Linear(width, 1)
        for layer in self.hidden:
            if isinstance(layer, nn.Linear):
                nn.init.xavier_normal_(layer.weight, gain=nn.init.calculate_gain("tanh"))
                nn.init.zeros_(layer.bias)

    def forward(self, x):
        return self.out(self.hidden(x)).squeeze(-1)


X, y = simulate(8000)
n_tr = 6400
x_mu, x_sd = X[:n_tr].mean(0), X[:n_tr].std(0)
y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
X = torch.from_numpy((X - x_mu) / x_sd)
y = torch.from_numpy((y - y_mu) / y_sd)
X_tr, y_tr, X_va, y_va = X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:]

model = Surrogate(X.shape[1])
lr, momentum, batch, epochs = 0.02, 0.9, 64, 30
velocity = [torch.zeros_like(p) for p in model.parameters()]

for epoch in range(epochs):
    lr_t = 0.5 * lr * (1 + math.cos(math.pi * epoch / epochs))
    perm = torch.randperm(n_tr)
    for k in range(0, n_tr, batch):
        idx = perm[k:k + batch]
        loss = ((model(X_tr[idx]) - y_tr[idx]) ** 2).mean()
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(momentum).add_(p.grad)
                p -= lr_t * v
    with torch.no_grad():
        val_mse = ((model(X_va) - y_va) ** 2).mean().item()
    if epoch % 5 == 4 or epoch == 0:
        print(f"epoch {epoch + 1:2d} lr {lr_t:.4f} train_mse {loss.item():.4f} val_mse {val_mse:.4f}")

with torch.no_grad():
    pred = model(X_va)
    rmse_k = ((pred - y_va) ** 2).mean().sqrt().item() * y_sd
    r2 = 1 - ((pred - y_va) ** 2).sum().item() / ((y_va - y_va.mean()) ** 2).sum().item()
print(f"final val_r2 {r2:.4f} val_rmse_K {rmse_k:.3f}")
