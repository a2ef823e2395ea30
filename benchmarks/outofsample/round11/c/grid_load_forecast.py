"""Day-ahead-style load forecasting: predict the next 6 hours of feeder load.

Hourly load with daily and weekly cycles, a temperature response (heating and cooling)
and noise. Features: the last 48 hours of load, the temperature forecast for the target
hours, hour-of-day and day-of-week encodings. MLP with Huber loss, AdamW and a one-cycle
schedule; the split is in time (last 20% of windows for validation).
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
np.random.seed(8)
torch.set_num_threads(1)

rng = np.random.default_rng(8)
H = 24 * 7 * 40                                   # 40 weeks of hourly data
t = np.arange(H)
hour, dow = t % 24, (t // 24) % 7
temp = 12 + 10 * np.sin(2 * np.pi * t / (24 * 365) - 1.2) + 5 * np.sin(2 * np.pi * (hour - 9) / 24) \
    + rng.normal(0, 1.5, H)
load = (300 + 60 * np.sin(2 * np.pi * (hour - 7) / 24) + 25 * np.sin(4 * np.pi * hour / 24)
        - 40 * (dow >= 5) + 4.0 * np.maximum(15 - temp, 0) + 6.0 * np.maximum(temp - 22, 0)
        + rng.normal(0, 8, H))

LAGS, HORIZON = 48, 6
rows, targets = [], []
for s in range(LAGS, H - HORIZON):
    past = load[s - LAGS:s]
    fut_temp = temp[s:s + HORIZON]
    cal = [np.sin(2 * np.pi * hour[s] / 24), np.cos(2 * np.pi * hour[s] / 24),
           np.sin(2 * np.pi * dow[s] / 7), np.cos(2 * np.pi * dow[s] / 7)]
    rows.append(np.concatenate([past, fut_temp, cal]))
    targets.append(load[s:s + HORIZON])
X = np.asarray(rows, np.float32)
Y = np.asarray(targets, np.float32)

cut = int(0.8 * len(X))
X_tr, X_va, Y_tr, Y_va = X[:cut], X[cut:], Y[:cut], Y[cut:]
mu, sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = Y_tr.mean(), Y_tr.std()
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
Y_tr_n = (Y_tr - y_mu) / y_sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(Y_tr_n)),
                          batch_size=128, shuffle=True)

model = nn.Sequential(
    nn.Linear(X.shape[1], 128), nn.GELU(),
    nn.Linear(128, 128), nn.GELU(),
    nn.Linear(128, HORIZON),
)
criterion = nn.HuberLoss(delta=1.0)
EPOCHS = 10
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, epochs=EPOCHS,
                                                steps_per_epoch=len(train_loader))


def train_one_epoch():
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        pred = model(xb)
        loss = criterion(pred, yb)
        optimizer.step()
        loss.backward()
        scheduler.step()
        total += loss.item() * len(xb)
    return total / len(train_loader.dataset)


@torch.no_grad()
def validate():
    model.eval()
    pred = model(torch.from_numpy(X_va)).numpy() * y_sd + y_mu
    return float(np.abs(pred - Y_va).mean())


naive = float(np.abs(X[cut:, LAGS - 24:LAGS - 24 + HORIZON] - Y_va).mean())
for epoch in range(EPOCHS):
    tr = train_one_epoch()
    print(f"epoch {epoch + 1:2d}  train_huber {tr:.4f}  val_MAE {validate():.2f} kW")
print(f"seasonal-naive MAE {naive:.2f} kW")
print(f"final val MAE {validate():.2f} kW")
