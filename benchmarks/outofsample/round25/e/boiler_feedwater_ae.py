"""Anomaly screening of boiler feedwater chemistry with an autoencoder.

Twelve analysers (pH, cation conductivity, dissolved O2, silica, hardness, ...) are driven
by a few plant states (load, make-up fraction, oxygen-scavenger dosing). The autoencoder is
trained on normal hours only; the score is reconstruction error. An exponential moving average
of the weights, kept in a deepcopy of the network, is what gets evaluated and shipped.
"""
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import roc_auc_score

torch.manual_seed(29)
np.random.seed(29)
torch.set_num_threads(1)

rng = np.random.default_rng(29)


def plant_hours(n, anomaly=None):
    load = rng.beta(4, 2, n)
    makeup = rng.beta(2, 8, n)
    dosing = rng.uniform(0.3, 1.0, n)
    temp = 105 + 70 * load + rng.normal(0, 2, n)
    o2 = 7 * np.exp(-3.5 * dosing) * (1 + 0.5 * makeup) + rng.normal(0, 0.08, n)
    ph = 9.3 + 0.35 * np.tanh(3 * (dosing - 0.6)) - 0.4 * makeup + rng.normal(0, 0.03, n)
    cond = 0.08 + 0.9 * makeup ** 1.5 + 0.05 * load + rng.normal(0, 0.01, n)
    silica = 3 + 25 * makeup * (1 + load) + rng.normal(0, 0.6, n)
    hardness = 0.02 + 0.05 * makeup + np.abs(rng.normal(0, 0.005, n))
    hydrazine = 40 * dosing * (1 - 0.4 * load) + rng.normal(0, 1.0, n)
    iron = 2 + 6 * o2 / 7 * (1 + load) + rng.normal(0, 0.3, n)
    flow = 20 + 180 * load + rng.normal(0, 3, n)
    ammonia = 0.4 + 0.8 * dosing * (1 - makeup) + rng.normal(0, 0.02, n)
    sodium = 1 + 8 * makeup + rng.normal(0, 0.2, n)
    if anomaly == "condenser_leak":      # cooling water in: conductivity, hardness, sodium up together
        leak = rng.uniform(0.03, 0.2, n)
        cond += leak * 0.35
        hardness += leak * 0.08
        sodium += leak * 6
    elif anomaly == "scavenger_failure":  # dosing pump reads fine, but O2 and iron climb
        o2 += rng.uniform(0.1, 0.5, n)
        iron += rng.uniform(0.2, 0.8, n)
    return np.column_stack([temp, o2, ph, cond, silica, hardness, hydrazine, iron, flow,
                            ammonia, sodium, makeup * 100]).astype(np.float32)


normal = plant_hours(6000)
val_normal = plant_hours(800)
val_anom = np.vstack([plant_hours(100, "condenser_leak"), plant_hours(100, "scavenger_failure")])

mu, sd = normal.mean(0), normal.std(0)
scale = lambda a: torch.from_numpy((a - mu) / sd)
train_x = scale(normal)
val_x = torch.cat([scale(val_normal), scale(val_anom)])
val_is_anom = np.r_[np.zeros(len(val_normal)), np.ones(len(val_anom))]

loader = DataLoader(TensorDataset(train_x, train_x), batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Linear(12, 48), nn.GELU(),
    nn.Linear(48, 24), nn.GELU(),
    nn.Linear(24, 4),
    nn.Linear(4, 24), nn.GELU(),
    nn.Linear(24, 48), nn.GELU(),
    nn.Linear(48, 12),
)
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
EMA_DECAY = 0.99

optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
EPOCHS = 25
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS, eta_min=5e-5)
criterion = nn.MSELoss()


@torch.no_grad()
def scores(net):
    net.eval()
    err = ((net(val_x) - val_x) ** 2).mean(1).numpy()
    return err, roc_auc_score(val_is_anom, err), err[: len(val_normal)].mean()


for epoch in range(1, EPOCHS + 1):
    model.train()
    tot = 0.0
    for xb, target in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), target)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 1 - EMA_DECAY)
        tot += loss.item() * len(xb)
    scheduler.step()
    if epoch % 5 == 0:
        _, auc, rec = scores(ema)
        print(f"epoch {epoch:2d}  train mse {tot / len(train_x):.4f}  EMA val-normal mse {rec:.4f}  AUROC {auc:.3f}")

_, auc_raw, rec_raw = scores(model)
_, auc_ema, rec_ema = scores(ema)
print(f"final: EMA model AUROC {auc_ema:.3f} (normal-hour mse {rec_ema:.4f}); raw weights AUROC {auc_raw:.3f} (mse {rec_raw:.4f})")
