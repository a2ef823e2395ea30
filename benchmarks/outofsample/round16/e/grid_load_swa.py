"""Day-ahead hourly electricity load for a distribution feeder.

MLP on calendar + weather + lagged-load features, chronological split (last 20%
of hours for validation). Plain SGD with cosine decay, then stochastic weight
averaging (SWALR holds a constant SWA learning rate) for the last epochs;
BatchNorm statistics are recomputed for the averaged weights with update_bn.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.optim.swa_utils import SWALR, AveragedModel, update_bn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)

hours = 24 * 7 * 60           # ~14 months of hourly data
t = np.arange(hours)
hod, dow, doy = t % 24, (t // 24) % 7, (t // 24) % 365
temp = 12 + 10 * np.sin(2 * np.pi * (doy - 100) / 365) + 4 * np.sin(2 * np.pi * (hod - 9) / 24) \
    + np.cumsum(rng.normal(0, 0.3, hours)) * 0.05 + rng.normal(0, 1.0, hours)
daily = 0.6 + 0.4 * np.exp(-0.5 * ((hod - 19) / 2.5) ** 2) + 0.25 * np.exp(-0.5 * ((hod - 8) / 1.5) ** 2)
weekly = np.where(dow >= 5, 0.85, 1.0)
hvac = 0.03 * np.clip(temp - 22, 0, None) ** 1.3 + 0.02 * np.clip(10 - temp, 0, None) ** 1.2
load_mw = 4.0 * (daily * weekly + hvac) + rng.normal(0, 0.12, hours)

lag_day, lag_week = 24, 168
idx = np.arange(lag_week, hours)
feats = np.column_stack([
    np.sin(2 * np.pi * hod[idx] / 24), np.cos(2 * np.pi * hod[idx] / 24),
    np.eye(7)[dow[idx]],
    temp[idx], temp[idx] ** 2 / 100,
    load_mw[idx - lag_day], load_mw[idx - lag_week],
    load_mw[idx - lag_day - 1], load_mw[idx - lag_day - 2],
]).astype(np.float32)
target = load_mw[idx].astype(np.float32)

split = int(0.8 * len(idx))
cont = [9, 10, 11, 12, 13, 14]                         # continuous columns (one-hot dow left as is)
mu, sd = feats[:split, cont].mean(0), feats[:split, cont].std(0)
feats[:, cont] = (feats[:, cont] - mu) / sd
y_mu, y_sd = target[:split].mean(), target[:split].std()
y_std = (target - y_mu) / y_sd

Xtr, ytr = torch.from_numpy(feats[:split]), torch.from_numpy(y_std[:split])
Xva, yva = torch.from_numpy(feats[split:]), torch.from_numpy(y_std[split:])
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=128, shuffle=True)
val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=1024)

model = nn.Sequential(
    nn.Linear(Xtr.shape[1], 128), nn.BatchNorm1d(128), nn.ReLU(),
    nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(),
    nn.Linear(64, 1),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
epochs, swa_start = 24, 16
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=swa_start)
swa_model = AveragedModel(model)
swa_scheduler = SWALR(optimizer, swa_lr=0.01, anneal_epochs=2)
loss_fn = nn.MSELoss()


def evaluate(net):
    net.eval()
    sse, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            pred = net(xb).squeeze(1)
            sse += nn.functional.mse_loss(pred, yb, reduction="sum").item()
            n += len(yb)
    return sse / n


for epoch in range(epochs):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
    if epoch >= swa_start:
        swa_model.update_parameters(model)
        swa_scheduler.step()
    else:
        cosine.step()
    print(f"epoch {epoch + 1:2d} lr {optimizer.param_groups[0]['lr']:.4f} "
          f"train_mse {loss.item():.4f} val_mse {evaluate(model):.4f}")

update_bn(train_loader, swa_model)
val_mse_swa = evaluate(swa_model)
with torch.no_grad():
    swa_model.eval()
    pred_mw = swa_model(Xva).squeeze(1).numpy() * y_sd + y_mu
true_mw = target[split:]
naive_mw = load_mw[idx[split:] - lag_week]            # same hour last week
mape = lambda p: np.mean(np.abs(p - true_mw) / true_mw) * 100
print(f"final SWA val_mse(std) {val_mse_swa:.4f} MAPE {mape(pred_mw):.2f}% "
      f"(seasonal-naive last-week MAPE {mape(naive_mw):.2f}%, constant-mean val_mse(std) {float(((yva - ytr.mean()) ** 2).mean()):.4f})")
