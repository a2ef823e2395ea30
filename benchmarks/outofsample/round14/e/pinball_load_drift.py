"""Day-ahead probabilistic load forecast for one substation.

Three quantiles (P10/P50/P90) from one network trained on the pinball loss.
Split strictly in time (the last 20% of the history is validation), so the
validation months sit higher on the demand trend than the training months.
The update is written out by hand: plain SGD, halving the step every 10 epochs.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(5)
rng = np.random.default_rng(5)

HOURS = 24 * 7 * 104                       # two years, hourly
t = np.arange(HOURS)
hour, dow, doy = t % 24, (t // 24) % 7, (t // 24) % 365
temp = 12 - 9 * np.cos(2 * np.pi * doy / 365) + 4 * np.sin(2 * np.pi * (hour - 9) / 24) \
    + rng.normal(0, 2.0, HOURS)
daily = 18 * np.exp(-((hour - 19) ** 2) / 8) + 10 * np.exp(-((hour - 8) ** 2) / 6)
weekly = np.where(dow >= 5, -12.0, 0.0)
weather = 0.35 * (temp - 16) ** 2 / 4
trend = 0.012 * t / 24                      # ~9 MW higher after two years
noise_sd = 2.0 + 3.0 * (hour >= 17) * (hour <= 21)
load = 100 + trend + daily + weekly + weather + rng.normal(0, 1, HOURS) * noise_sd

LAG = 168
idx = np.arange(LAG, HOURS)
feats = np.column_stack([
    np.sin(2 * np.pi * hour[idx] / 24), np.cos(2 * np.pi * hour[idx] / 24),
    np.eye(7)[dow[idx]],
    temp[idx], temp[idx - LAG], load[idx - LAG],
])
# the network forecasts the change against the same hour last week, which
# takes the slow demand trend out of the target
base_level = load[idx - LAG]
target = load[idx]
cut = int(0.8 * len(idx))
cont = [9, 10, 11]                          # temperature now / last week, load last week
mu, sd = feats[:cut, cont].mean(0), feats[:cut, cont].std(0)
feats[:, cont] = (feats[:, cont] - mu) / sd
delta = target - base_level
y_mu, y_sd = delta[:cut].mean(), delta[:cut].std()

X = torch.tensor(feats, dtype=torch.float32)
Y = torch.tensor((delta - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)
X_tr, Y_tr, X_va, Y_va = X[:cut], Y[:cut], X[cut:], Y[cut:]
QS = torch.tensor([0.1, 0.5, 0.9])


def pinball(pred, y):
    diff = y - pred
    return torch.maximum(QS * diff, (QS - 1) * diff).mean()


model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                      nn.Linear(64, 3))
lr, BS, EPOCHS = 0.05, 64, 30
for epoch in range(EPOCHS):
    if epoch and epoch % 10 == 0:
        lr *= 0.5
    model.train()
    perm = torch.randperm(len(X_tr))
    tot = 0.0
    for k in range(0, len(perm) - BS + 1, BS):
        b = perm[k:k + BS]
        loss = pinball(model(X_tr[b]), Y_tr[b])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        tot += loss.item()
    if epoch % 5 == 4:
        model.eval()
        with torch.no_grad():
            vl = pinball(model(X_va), Y_va).item()
        print(f"epoch {epoch + 1:2d} lr {lr:.4f} train pinball {tot / (len(perm) // BS):.4f} val pinball {vl:.4f}")

model.eval()
with torch.no_grad():
    q = model(X_va).sort(dim=1).values * y_sd + y_mu
    q = q + torch.tensor(base_level[cut:], dtype=torch.float32).unsqueeze(1)
y_va = torch.tensor(target[cut:], dtype=torch.float32).unsqueeze(1)
net_pin = torch.maximum(QS * (y_va - q), (QS - 1) * (y_va - q)).mean().item()
cover = ((y_va >= q[:, :1]) & (y_va <= q[:, 2:])).float().mean().item()

# baseline: seasonal naive (same hour last week) + training-residual quantiles
naive_tr = load[idx[:cut] - LAG]
res_q = np.quantile(target[:cut] - naive_tr, [0.1, 0.5, 0.9])
bq = torch.tensor(load[idx[cut:] - LAG][:, None] + res_q[None, :], dtype=torch.float32)
base_pin = torch.maximum(QS * (y_va - bq), (QS - 1) * (y_va - bq)).mean().item()
print(f"baseline seasonal-naive quantiles: val pinball {base_pin:.3f} MW")
print(f"final: val pinball {net_pin:.3f} MW, P10-P90 coverage {cover:.3f} (nominal 0.80)")
