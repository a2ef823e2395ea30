"""Tread wear model for the fleet programme.

Predicts tread depth lost (mm per 10,000 km) from tyre, vehicle and route
telemetry so the depot can schedule rotations. Plain loop, manual SGD with
momentum-free updates and a step-decayed learning rate.
"""
import math
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(7)
np.random.seed(7)
torch.set_num_threads(1)


def make_fleet(n, rng):
    compound = rng.integers(0, 3, n)                      # 0 soft, 1 medium, 2 hard
    pressure_dev = rng.normal(0.0, 0.25, n)               # bar from placard
    axle_load = rng.normal(1.0, 0.18, n)                  # tonnes per axle
    ambient = rng.normal(14.0, 8.0, n)                    # deg C
    highway = rng.beta(2.0, 2.0, n)                       # share of km on highway
    gravel = rng.beta(1.0, 8.0, n)                        # share of km on unsealed roads
    toe = np.abs(rng.normal(0.0, 0.12, n))                # deg misalignment
    harsh = rng.gamma(2.0, 0.5, n)                        # harsh events per 100 km
    mass = rng.normal(1.6, 0.35, n)                       # vehicle tonnes
    base = np.array([1.25, 0.95, 0.70])[compound]
    wear = (base
            * (1.0 + 0.9 * np.abs(pressure_dev) + 0.6 * np.clip(-pressure_dev, 0, None))
            * (0.55 + 0.45 * axle_load * mass / 1.6)
            * (1.0 + 0.012 * (ambient - 14.0))
            * (1.25 - 0.45 * highway)
            * (1.0 + 1.6 * gravel)
            * (1.0 + 2.2 * toe)
            * (0.8 + 0.2 * harsh))
    wear = wear * np.exp(rng.normal(0.0, 0.06, n))
    onehot = np.eye(3)[compound]
    X = np.column_stack([onehot, pressure_dev, axle_load, ambient, highway, gravel, toe, harsh, mass])
    return X.astype(np.float32), wear.astype(np.float32)


rng = np.random.default_rng(7)
X, y = make_fleet(4000, rng)
n_train = 3200
Xtr, Xva = X[:n_train], X[n_train:]
ytr, yva = y[:n_train], y[n_train:]

cont = slice(3, None)
mu, sd = Xtr[:, cont].mean(0), Xtr[:, cont].std(0)
Xtr[:, cont] = (Xtr[:, cont] - mu) / sd
Xva[:, cont] = (Xva[:, cont] - mu) / sd
y_mu, y_sd = ytr.mean(), ytr.std()

Xtr_t, Xva_t = torch.from_numpy(Xtr), torch.from_numpy(Xva)
ytr_t = torch.from_numpy((ytr - y_mu) / y_sd).unsqueeze(1)
yva_t = torch.from_numpy(yva).unsqueeze(1)


class TreadNet(nn.Module):
    def __init__(self, d_in, width=64):
        super().__init__()
        self.fc1 = nn.Linear(d_in, width)
        self.fc2 = nn.Linear(width, width)
        self.out = nn.Linear(width, 1)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        h = F.relu(self.fc2(h))
        return self.out(h)


model = TreadNet(X.shape[1])
lr = 0.05
batch_size = 64
epochs = 60

for epoch in range(1, epochs + 1):
    model.train()
    perm = torch.randperm(n_train)
    running = 0.0
    for i in range(0, n_train, batch_size):
        idx = perm[i:i + batch_size]
        pred = model(Xtr_t[idx])
        loss = F.mse_loss(pred, ytr_t[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(idx)
    if epoch % 20 == 0:
        lr *= 0.5

    model.eval()
    sse = 0.0
    with torch.no_grad():
        for i in range(0, len(Xva_t), 256):
            pred_mm = model(Xva_t[i:i + 256]) * y_sd + y_mu
            sse += ((pred_mm - yva_t[i:i + 256]) ** 2).sum().item()
    rmse = math.sqrt(sse / len(Xva_t))
    if epoch % 10 == 0 or epoch == 1:
        print(f"epoch {epoch:2d}  train mse {running / n_train:.4f}  val rmse {rmse:.4f} mm")

r2 = 1.0 - (rmse ** 2) / float(yva.var())
print(f"final val RMSE {rmse:.4f} mm/10k km  R2 {r2:.4f}")
