"""Snow-plough routing: will a road segment need another pass within the next hour?

Each sample is the last 3 hours of minute-level telemetry from a segment's road-weather
station: surface temperature, air temperature, snowfall intensity, wind, traffic count and
a flag for when a plough last passed. Snow accumulates from the last pass, so the answer
depends on events up to 3 hours back: a GRU reads the whole 180-step sequence. Positives
are the minority, handled with pos_weight; gradient-norm clipping is kept as routine
insurance for the recurrent net.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)
rng = np.random.default_rng(17)
T, N = 180, 1600


def segment():
    surf0, air0 = rng.normal(-3, 3), rng.normal(-4, 3)
    storm_start, storm_len = rng.integers(0, T), rng.integers(20, 150)
    intensity = rng.gamma(2, 0.6)
    snow = np.zeros(T)
    snow[storm_start:storm_start + storm_len] = intensity * (1 + 0.3 * rng.standard_normal(min(storm_len, T - storm_start))).clip(0)
    air = air0 + np.cumsum(rng.normal(0, 0.05, T))
    surf = surf0 + 0.6 * (air - air0) + rng.normal(0, 0.2, T)
    wind = rng.gamma(2, 2.5) + rng.normal(0, 1, T)
    traffic = rng.poisson(rng.uniform(2, 25), T).astype(float)
    plough = np.zeros(T)
    for t0 in rng.choice(T, rng.integers(0, 3), replace=False):
        plough[t0] = 1
    last = np.max(np.nonzero(plough)[0]) if plough.any() else 0
    melt = np.clip(surf[last:], -10, 3).mean() + 2
    depth = 0.2 + snow[last:].sum() / 60 * (1 + 0.05 * wind.mean()) - 0.4 * max(melt, 0) - 0.002 * traffic[last:].sum()
    label = float(depth + rng.normal(0, 0.1) > 0.0)
    x = np.stack([surf / 5, air / 5, snow, (wind - 5) / 4, traffic / 15 - 0.8, plough], 1)
    return x, label


data = [segment() for _ in range(N)]
X = np.stack([d[0] for d in data]).astype(np.float32)
y = np.array([d[1] for d in data], dtype=np.float32)
idx = rng.permutation(N)
tr, va = idx[:1300], idx[1300:]
print(f"positive share train={y[tr].mean():.3f} val={y[va].mean():.3f}")

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])), batch_size=64, shuffle=True)
Xv, yv = torch.from_numpy(X[va]), torch.from_numpy(y[va])


class SegmentGRU(nn.Module):
    def __init__(self, d_in=6, hidden=48):
        super().__init__()
        self.gru = nn.GRU(d_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


model = SegmentGRU()
pos = y[tr].mean()
loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor((1 - pos) / pos))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=14)

for epoch in range(14):
    model.train()
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        opt.step()
    sched.step()
    model.eval()
    with torch.no_grad():
        logit = model(Xv)
        vloss = loss_fn(logit, yv).item()
        pred = (logit > 0).float()
    tpr = ((pred == 1) & (yv == 1)).sum() / (yv == 1).sum()
    tnr = ((pred == 0) & (yv == 0)).sum() / (yv == 0).sum()
    print(f"epoch {epoch + 1:2d} val_loss={vloss:.4f} balanced_acc={(tpr + tnr).item() / 2:.4f}")

print(f"final val_balanced_accuracy={(tpr + tnr).item() / 2:.4f} recall={tpr.item():.4f} specificity={tnr.item():.4f}")
