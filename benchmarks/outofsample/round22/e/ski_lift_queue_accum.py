"""Wait time at the bottom of each chairlift, 15 minutes ahead, for a resort's queue display.

Tabular: lift and weekday as embeddings, continuous weather/occupancy/time-of-day features standardised.
Waits are right-skewed, so the network fits log1p(minutes) and predictions are mapped back with expm1.
Micro-batches of 32 with gradient accumulation over 4 (an effective batch of 128, the size the
resort's older GPU box could not hold), exponential LR decay, early stopping on validation MAE.
"""
import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(14)
rng = np.random.default_rng(14)

N_LIFTS, DAYS = 10, 70
lift_capacity = rng.uniform(1200, 3200, N_LIFTS)  # riders per hour
lift_pull = rng.lognormal(0, 0.4, N_LIFTS)  # popularity


def season():
    rows = []
    for d in range(DAYS):
        dow = d % 7
        holiday = (d // 7) in (2, 6)  # two school-holiday weeks
        snow = max(rng.normal(8, 8), 0)
        temp = rng.normal(-4, 5)
        wind = abs(rng.normal(25, 15))
        visitors = 4000 * (1.6 if dow >= 5 else 1.0) * (1.5 if holiday else 1.0) * (1 + 0.03 * snow) \
            * (0.7 if wind > 50 else 1.0) * rng.lognormal(0, 0.1)
        for hour in np.arange(8.5, 16.5, 0.5):
            profile = np.exp(-((hour - 10.5) / 1.3) ** 2) + 0.6 * np.exp(-((hour - 13.5) / 1.2) ** 2)
            for lift in range(N_LIFTS):
                closed_wind = wind > 60 and lift % 3 == 0
                demand = visitors * profile * lift_pull[lift] / N_LIFTS * 4.5  # rides per hour
                util = demand / lift_capacity[lift] * (2.0 if closed_wind else 1.0)
                wait = 12 * max(util - 0.35, 0) ** 1.6 * rng.lognormal(0, 0.25)
                rows.append((d, lift, dow, int(holiday), hour, snow, temp, wind, visitors / 1000, wait))
    return np.array(rows, dtype=np.float64)


data = season()
train_m = data[:, 0] < 56  # the last two weeks are held out, in time order
day, lift, dow = data[:, 0], data[:, 1].astype(np.int64), data[:, 2].astype(np.int64)
hour = data[:, 4]
num = np.column_stack([data[:, 3], np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                       hour, data[:, 5], data[:, 6], data[:, 7], data[:, 8]])
num[:, 1:] = (num[:, 1:] - num[train_m, 1:].mean(0)) / num[train_m, 1:].std(0)  # col 0 is a 0/1 flag
cat = np.column_stack([lift, dow])
wait = data[:, 9]
y = np.log1p(wait).astype(np.float32)


def tensors(m):
    return (torch.from_numpy(num[m].astype(np.float32)), torch.from_numpy(cat[m]),
            torch.from_numpy(y[m]).unsqueeze(1))


train_ds = TensorDataset(*tensors(train_m))
val_num, val_cat, _ = tensors(~train_m)
val_wait = torch.from_numpy(wait[~train_m]).float()


class QueueNet(nn.Module):
    def __init__(self, n_num):
        super().__init__()
        self.lift_emb = nn.Embedding(N_LIFTS, 6)
        self.dow_emb = nn.Embedding(7, 3)
        self.mlp = nn.Sequential(nn.Linear(n_num + 9, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                                 nn.Linear(64, 1))

    def forward(self, x_num, x_cat):
        h = torch.cat([x_num, self.lift_emb(x_cat[:, 0]), self.dow_emb(x_cat[:, 1])], 1)
        return self.mlp(h)


model = QueueNet(num.shape[1])
with torch.no_grad():
    model.mlp[-1].bias.fill_(float(y[train_m].mean()))
loader = DataLoader(train_ds, batch_size=32, shuffle=True)
ACCUM = 4
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
loss_fn = nn.MSELoss()


def val_mae():
    model.eval()
    with torch.no_grad():
        pred = torch.expm1(model(val_num, val_cat).squeeze(1)).clamp(min=0)
    return (pred - val_wait).abs().mean().item()


best_mae, best_state, bad = float("inf"), None, 0
for epoch in range(1, 31):
    model.train()
    optimizer.zero_grad()
    total = 0.0
    for step, (xn, xc, yb) in enumerate(loader, 1):
        loss = loss_fn(model(xn, xc), yb)
        (loss / ACCUM).backward()
        if step % ACCUM == 0 or step == len(loader):
            optimizer.step()
            optimizer.zero_grad()
        total += loss.item() * len(yb)
    scheduler.step()
    mae = val_mae()
    print(f"epoch {epoch:2d} train_mse_log {total / len(train_ds):.4f} val_MAE {mae:.2f} min")
    if mae < best_mae - 0.005:
        best_mae, best_state, bad = mae, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad == 4:
            print(f"early stopping after epoch {epoch}")
            break

model.load_state_dict(best_state)
naive = (val_wait - torch.from_numpy(wait[train_m]).float().median()).abs().mean().item()
print(f"final val_MAE {val_mae():.2f} min (median-wait baseline {naive:.2f} min)")
