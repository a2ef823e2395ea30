"""Arrival delay forecast for freight rail consists.

Predicts minutes of arrival delay at the destination yard from the consist,
the corridor, the operator and conditions at departure. Delays are zero for
about a third of trains and heavy-tailed for the rest, so the model learns
log1p(minutes) with a Huber loss and a softplus head (the target is never
negative). Corridor and operator go through embeddings. Linear warm-up then
cosine decay per step; early stopping on validation MAE with the best weights
restored.
"""
import copy
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
np.random.seed(8)
torch.set_num_threads(1)

N_CORRIDORS, N_OPERATORS = 24, 6


def consist_log(n, rng):
    corridor = rng.integers(0, N_CORRIDORS, n)
    operator = rng.integers(0, N_OPERATORS, n)
    corridor_risk = rng.normal(0, 0.6, N_CORRIDORS)
    operator_risk = rng.normal(0, 0.4, N_OPERATORS)
    single_track = rng.beta(2, 3, N_CORRIDORS)[corridor]
    distance = rng.uniform(80, 900, n)
    wagons = rng.integers(20, 110, n)
    tonnage = wagons * rng.uniform(40, 95, n)
    hour = rng.uniform(0, 24, n)
    rain = rng.gamma(0.6, 4.0, n) * (rng.random(n) < 0.35)
    temp = rng.normal(12, 9, n)
    congestion = rng.beta(2, 5, n)
    crew_changes = rng.poisson(distance / 350)
    dwell = rng.gamma(2.0, 25.0, n)
    peak = np.exp(-((hour - 8) / 2.0) ** 2) + np.exp(-((hour - 17.5) / 2.0) ** 2)
    risk = (-0.4 + corridor_risk[corridor] + operator_risk[operator] + 1.6 * single_track * congestion
            + 0.0012 * distance + 0.006 * (wagons - 60) + 0.05 * rain + 0.03 * np.clip(-temp, 0, None)
            + 0.5 * peak + 0.25 * crew_changes + 0.006 * dwell)
    on_time = rng.random(n) < 1 / (1 + np.exp(1.2 * (risk - 0.6)))
    minutes = np.exp(1.0 + 0.9 * risk + rng.normal(0, 0.55, n)) * rng.pareto(4.0, n).clip(0.2, None) * 4
    minutes = np.where(on_time, 0.0, minutes)
    num = np.column_stack([distance, wagons, tonnage, np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                           rain, temp, congestion, crew_changes, dwell, single_track])
    return num.astype(np.float32), corridor, operator, minutes.astype(np.float32)


rng = np.random.default_rng(8)
num, cor, op, minutes = consist_log(6000, rng)
tr, va = slice(0, 4800), slice(4800, None)
mu, sd = num[tr].mean(0), num[tr].std(0)
num = (num - mu) / sd
target = np.log1p(minutes)

def tensors(s):
    return (torch.from_numpy(num[s]), torch.from_numpy(cor[s]), torch.from_numpy(op[s]),
            torch.from_numpy(target[s]))

train_loader = DataLoader(TensorDataset(*tensors(tr)), batch_size=128, shuffle=True)
val_loader = DataLoader(TensorDataset(*tensors(va)), batch_size=600)


class DelayNet(nn.Module):
    def __init__(self, n_num, emb=6, hidden=96):
        super().__init__()
        self.cor = nn.Embedding(N_CORRIDORS, emb)
        self.op = nn.Embedding(N_OPERATORS, 3)
        self.mlp = nn.Sequential(nn.Linear(n_num + emb + 3, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1), nn.Softplus())

    def forward(self, x, c, o):
        return self.mlp(torch.cat([x, self.cor(c), self.op(o)], dim=1)).squeeze(-1)


def val_mae_minutes(net):
    net.eval()
    err, n = 0.0, 0
    with torch.no_grad():
        for xb, cb, ob, yb in val_loader:
            pred_min = torch.expm1(net(xb, cb, ob))
            err += (pred_min - torch.expm1(yb)).abs().sum().item()
            n += len(yb)
    return err / n


model = DelayNet(num.shape[1])
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
epochs = 40
total_steps = epochs * len(train_loader)
warmup = 60
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup
    else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total_steps - warmup))))
criterion = nn.HuberLoss(delta=1.0)

best_mae, best_state, bad_epochs, patience = float("inf"), None, 0, 6
for epoch in range(1, epochs + 1):
    model.train()
    for xb, cb, ob, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb, cb, ob), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
    mae = val_mae_minutes(model)
    if mae < best_mae - 0.01:
        best_mae, best_state, bad_epochs = mae, copy.deepcopy(model.state_dict()), 0
    else:
        bad_epochs += 1
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  train huber {loss.item():.4f}  val MAE {mae:.2f} min  best {best_mae:.2f}")
    if bad_epochs >= patience:
        print(f"early stop at epoch {epoch}")
        break

model.load_state_dict(best_state)
baseline = np.abs(np.expm1(np.median(target[tr])) - minutes[va]).mean()
print(f"final val MAE {val_mae_minutes(model):.2f} min  (median-delay baseline {baseline:.2f} min)")
