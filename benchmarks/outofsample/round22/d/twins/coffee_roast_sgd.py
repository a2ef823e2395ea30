"""Predict the Agtron roast degree of a batch from its roaster log.

Each log has bean-temperature probes every 60 s for the first 12 minutes, plus charge
temperature, gas and airflow settings, batch mass and bean moisture. A small MLP, trained
with a hand-rolled SGD update (the model is later ported to the roaster's controller, which
only ships plain tensors).
"""
import math
import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(11)
rng = np.random.default_rng(11)


def roaster_logs(n):
    charge = rng.normal(200, 8, n)            # deg C
    gas = rng.uniform(40, 95, n)              # % burner
    air = rng.uniform(20, 80, n)              # % fan
    mass = rng.uniform(6, 15, n)              # kg
    moist = rng.normal(10.5, 0.9, n)          # % water
    t = np.arange(1, 13)[None, :]
    ror = (0.18 * gas - 0.05 * air - 0.9 * mass - 0.6 * (moist - 10.5))[:, None]
    turning = charge[:, None] * np.exp(-t / 1.4) + 60
    bt = turning + (0.25 * ror + 12.5) * t * (1 - np.exp(-t / 3)) + rng.normal(0, 1.5, (n, 12))
    end_bt = bt[:, -1]
    z = (end_bt - 205) / 12
    dev = np.clip(z, 0, None) ** 2           # time past first crack darkens fast
    density = rng.normal(0, 1, n)             # bean density / origin, not logged
    agtron = (62 - 10 * z - 3 * dev + 0.05 * (air - 50)
              + 2.5 * density + rng.normal(0, 2.0, n))
    X = np.column_stack([bt, charge, gas, air, mass, moist]).astype(np.float32)
    return X, agtron.astype(np.float32)


X, y = roaster_logs(4000)
Xtr, ytr, Xva, yva = X[:3200], y[:3200], X[3200:], y[3200:]
x_mu, x_sd = Xtr.mean(0), Xtr.std(0)
y_mu, y_sd = ytr.mean(), ytr.std()
Xtr = torch.tensor((Xtr - x_mu) / x_sd)
Xva = torch.tensor((Xva - x_mu) / x_sd)
ytr_s = torch.tensor((ytr - y_mu) / y_sd)
yva_t = torch.tensor(yva)


def layer(n_in, n_out):
    w = torch.randn(n_in, n_out) * math.sqrt(2.0 / n_in)
    return [w.requires_grad_(), torch.zeros(n_out, requires_grad=True)]


params = layer(17, 64) + layer(64, 64) + layer(64, 1)


def net(x):
    w1, b1, w2, b2, w3, b3 = params
    h = F.relu(x @ w1 + b1)
    h = F.relu(h @ w2 + b2)
    return (h @ w3 + b3).squeeze(-1)


lr, batch, epochs = 0.05, 32, 25
for epoch in range(epochs):
    perm = torch.randperm(len(Xtr))
    running = 0.0
    for i in range(0, len(Xtr), batch):
        idx = perm[i:i + batch]
        loss = F.mse_loss(net(Xtr[idx]), ytr_s[idx])
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        running += loss.item() * len(idx)
    with torch.no_grad():
        pred = net(Xva) * y_sd + y_mu
        rmse = torch.sqrt(torch.mean((pred - yva_t) ** 2)).item()
    if epoch % 5 == 4 or epoch == epochs - 1:
        print(f"epoch {epoch + 1:2d} train_mse {running / len(Xtr):.4f} val_rmse {rmse:.2f}")

with torch.no_grad():
    pred = net(Xva) * y_sd + y_mu
    r2 = 1 - torch.sum((pred - yva_t) ** 2) / torch.sum((yva_t - yva_t.mean()) ** 2)
print(f"final val_rmse_agtron {rmse:.3f} val_r2 {r2.item():.4f}")
