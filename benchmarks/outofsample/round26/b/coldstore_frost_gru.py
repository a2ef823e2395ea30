"""Estimate the frost load (kg) on a cold-store evaporator coil from the last 48 h of
15-minute controller readings, so defrost cycles can be triggered on demand.
GRU over the sequence, AdamW + OneCycle, gradient clipping, EMA weights for evaluation."""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(29)
rng = np.random.default_rng(29)

N, T = 1500, 192


def simulate(n):
    t = np.arange(T)
    ambient_rh = rng.uniform(40, 90, (n, 1)) + 8 * np.sin(2 * np.pi * t / 96)[None]
    door_rate = rng.uniform(0.05, 0.6, (n, 1)) * (1 + 0.8 * (np.sin(2 * np.pi * (t - 30) / 96) > 0))[None]
    doors = rng.poisson(door_rate)
    setpoint = rng.choice([-24.0, -18.0, 2.0], (n, 1), p=[0.3, 0.4, 0.3])
    frost = np.zeros((n, T))
    coil = np.zeros((n, T)); box = np.zeros((n, T)); fan = np.zeros((n, T))
    f = rng.uniform(0, 2.0, n)
    for k in range(T):
        ingress = 0.004 * doors[:, k] * ambient_rh[:, k] * (setpoint[:, 0] < 0) + 0.01 * (setpoint[:, 0] < 0)
        f = f + ingress * rng.uniform(0.7, 1.3, n)
        frost[:, k] = f
        transfer = 1.0 / (1.0 + 0.15 * f)
        coil[:, k] = setpoint[:, 0] - 8 * transfer - 2.0 * (1 - transfer) + rng.normal(0, 0.6, n)
        box[:, k] = setpoint[:, 0] + 1.5 * doors[:, k] + 2.5 * (1 - transfer) + rng.normal(0, 0.5, n)
        fan[:, k] = 1.8 + 0.25 * (1 - transfer) + rng.normal(0, 0.05, n)
    X = np.stack([coil, box, fan, doors, np.broadcast_to(ambient_rh, (n, T))], -1)
    # label: meltwater weighed at the next defrost, a noisy measurement of the load
    melt = frost[:, -1] * rng.lognormal(0, 0.08, n) + rng.normal(0, 0.3, n)
    return X.astype(np.float32), melt.astype(np.float32)


X, y = simulate(N)
idx = rng.permutation(N)
tr, va = idx[:1200], idx[1200:]
mu, sd = X[tr].reshape(-1, 5).mean(0), X[tr].reshape(-1, 5).std(0)
X = (X - mu) / sd
y_mu, y_sd = y[tr].mean(), y[tr].std()
train_dl = DataLoader(TensorDataset(torch.tensor(X[tr]), torch.tensor((y[tr] - y_mu) / y_sd)),
                      batch_size=32, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.tensor(X[va]), torch.tensor(y[va])), batch_size=300)


class FrostGRU(nn.Module):
    def __init__(self, n_in=5, hidden=48):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.out = nn.Sequential(nn.Linear(hidden, 32), nn.GELU(), nn.Linear(32, 1))

    def forward(self, x):
        _, h = self.gru(x)
        return self.out(h[-1]).squeeze(-1)


model = FrostGRU()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)

epochs = 6
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * len(train_dl), pct_start=0.25)
loss_fn = nn.MSELoss()


@torch.no_grad()
def update_ema(decay=0.9):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)


@torch.no_grad()
def evaluate(net):
    net.eval()
    se, n = 0.0, 0
    for xb, yb in val_dl:
        pred = net(xb) * y_sd + y_mu
        se += ((pred - yb) ** 2).sum().item(); n += len(yb)
    return (se / n) ** 0.5


for epoch in range(epochs):
    model.train()
    total = 0.0
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        sched.step()
        update_ema()
        total += loss.item() * len(xb)
    print(f"epoch {epoch} train mse {total / len(tr):.4f} val rmse {evaluate(model):.3f} kg "
          f"(ema {evaluate(ema):.3f} kg)")

path = os.path.join(tempfile.gettempdir(), "frost_gru_ema.pt")
torch.save(ema, path)
best = torch.load(path, weights_only=False)
rmse = evaluate(best)
var = float(((y[va] - y[va].mean()) ** 2).mean())
print(f"final val RMSE {rmse:.3f} kg R2 {1 - rmse ** 2 / var:.4f}")
