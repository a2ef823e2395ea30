"""Marina dinghy lock: predict how long a lock cycle takes (minutes) from the
gate-sensor summary of the cycle request. Cycle times are heavy-tailed (jammed
gates, late boats), so the model regresses log-minutes under a Huber loss,
keeps an exponential moving average of its weights (deepcopy) for evaluation,
uses linear warm-up then cosine decay, and saves the EMA model whole."""
import copy
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(9)
rng = np.random.default_rng(9)

n = 5000
boats = rng.poisson(2.5, n) + 1
level_diff_m = np.abs(rng.normal(1.2, 0.5, n))
tide_rate = rng.normal(0, 0.3, n)
hour = rng.integers(6, 22, n)
wind = rng.gamma(2.0, 2.0, n)
sluice_open_pct = rng.uniform(40, 100, n)
gate_age_y = rng.uniform(0, 25, n)
minutes = (4 + 1.6 * boats + 6 * level_diff_m / (sluice_open_pct / 100) + 0.15 * wind * boats
           + 0.8 * np.abs(tide_rate) * level_diff_m * 5 + 1.5 * np.sin(hour / 24 * 2 * np.pi) ** 2)
jam = rng.random(n) < 0.02 + 0.002 * gate_age_y
minutes = minutes * np.exp(rng.normal(0, 0.12, n)) + jam * rng.pareto(1.5, n) * 20
hour_sin, hour_cos = np.sin(hour / 24 * 2 * np.pi), np.cos(hour / 24 * 2 * np.pi)
X = np.column_stack([boats, level_diff_m, tide_rate, hour_sin, hour_cos, wind, sluice_open_pct, gate_age_y])
y = np.log(minutes)

tr, va = np.arange(4000), np.arange(4000, n)
cont = [0, 1, 2, 5, 6, 7]
X[:, cont] = (X[:, cont] - X[tr][:, cont].mean(0)) / X[tr][:, cont].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()
f32 = lambda a: torch.tensor(a, dtype=torch.float32)
train_dl = DataLoader(TensorDataset(f32(X[tr]), f32((y[tr] - y_mu) / y_sd)), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(f32(X[va]), f32(y[va])), batch_size=256)

model = nn.Sequential(nn.Linear(8, 96), nn.GELU(), nn.Linear(96, 96), nn.GELU(), nn.Linear(96, 1))
ema = copy.deepcopy(model).requires_grad_(False)
criterion = nn.HuberLoss(delta=1.0)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
epochs = 20
total_steps, warmup = epochs * len(train_dl), 60
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total_steps - warmup))))


@torch.no_grad()
def update_ema(decay=0.99):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)


@torch.no_grad()
def evaluate(net):
    net.eval()
    abs_err, abs_err_min, count = 0.0, 0.0, 0
    for xb, yb in val_dl:
        pred = net(xb).squeeze(-1) * y_sd + y_mu
        abs_err += (pred - yb).abs().sum().item()
        abs_err_min += (pred.exp() - yb.exp()).abs().sum().item()
        count += len(yb)
    return abs_err / count, abs_err_min / count


for epoch in range(1, epochs + 1):
    model.train()
    running = 0.0
    for xb, yb in train_dl:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(xb).squeeze(-1), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        update_ema()
        running += loss.item() * len(xb)
    if epoch % 4 == 0:
        mae_log, mae_min = evaluate(ema)
        print(f"epoch {epoch:2d}  train_huber {running / len(tr):.4f}  ema val_mae_log {mae_log:.4f}  val_mae {mae_min:.2f} min")

mae_log, mae_min = evaluate(ema)
baseline = np.abs(y[va] - np.median(y[tr])).mean()
torch.save(ema, "/tmp/dinghy_lock_ema.pt")
print(f"final val_mae_log {mae_log:.4f} (median baseline {baseline:.4f})  val_mae {mae_min:.2f} min")
