"""Remaining freeze time for batch ice-cream freezers.

From the first two minutes of a batch (one reading every 2 s: barrel wall temperature, mix temperature,
dasher motor current) predict how many more minutes until the mix reaches draw
consistency, so the parlour can plan the next batch.  Rich mixes (high sugar / fat,
alcohol in the sorbets) freeze much more slowly, so the target has a long right tail;
we train a GRU with Huber loss on robustly scaled targets, clip gradients, keep an EMA
of the weights and ship the EMA copy.
"""
import copy
import io

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
rng = np.random.default_rng(0)

T_LEN = 60


def batches(n):
    rate = rng.lognormal(mean=-0.2, sigma=0.55, size=n)         # freezing-rate factor of the recipe
    t0 = rng.uniform(3.0, 7.0, n)                                 # mix temperature at start (deg C)
    t_end = rng.uniform(-14.0, -11.0, n)                          # asymptote set by the refrigerant
    load = rng.uniform(0.6, 1.0, n)                               # fill level of the barrel
    t = np.arange(T_LEN)[None, :] * 2 / 60.0                      # minutes
    k = 0.18 * rate[:, None] / load[:, None]
    mix = t_end[:, None] + (t0[:, None] - t_end[:, None]) * np.exp(-k * t)
    wall = mix - rng.uniform(4, 7, (n, 1)) + rng.normal(0, 0.25, (n, T_LEN))
    frozen = 1 / (1 + np.exp(-(-2.5 - mix) * 1.5))                # ice fraction builds below ~-2.5
    current = 6 + 9 * load[:, None] * frozen * (1 + 0.3 * rate[:, None]) + rng.normal(0, 0.3, (n, T_LEN))
    mix = mix + rng.normal(0, 0.08, (n, T_LEN))
    # minutes from the end of the window until the mix reaches -5.5 deg C
    draw = np.log((t0 - t_end) / (-5.5 - t_end)) / (0.18 * rate / load) - T_LEN * 2 / 60.0
    draw = np.clip(draw, 0.2, None) * rng.lognormal(0, 0.05, n)
    X = np.stack([mix, wall, current], axis=-1).astype(np.float32)
    return X, draw.astype(np.float32)


X, y = batches(2600)
Xtr, ytr, Xva, yva = X[:2000], y[:2000], X[2000:], y[2000:]
ch_mu, ch_sd = Xtr.reshape(-1, 3).mean(0), Xtr.reshape(-1, 3).std(0)
Xtr, Xva = (Xtr - ch_mu) / ch_sd, (Xva - ch_mu) / ch_sd
med = float(np.median(ytr))
iqr = float(np.subtract(*np.percentile(ytr, [75, 25])))
print(f"draw time: median {med:.1f} min, p95 {np.percentile(ytr, 95):.1f}, max {ytr.max():.1f}")

train_ds = torch.utils.data.TensorDataset(torch.from_numpy(Xtr), torch.from_numpy((ytr - med) / iqr))
train_dl = torch.utils.data.DataLoader(train_ds, batch_size=64, shuffle=True)
Xva_t, yva_t = torch.from_numpy(Xva), torch.from_numpy(yva)


class DrawTimeGRU(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.gru = nn.GRU(3, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


model = DrawTimeGRU()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)
EPOCHS = 12
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS, eta_min=1e-4)
crit = nn.HuberLoss(delta=1.0)


@torch.no_grad()
def mae_minutes(net):
    net.eval()
    pred = net(Xva_t) * iqr + med
    return (pred - yva_t).abs().mean().item()


for epoch in range(EPOCHS):
    model.train()
    tot = 0.0
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(0.98).add_(pm, alpha=0.02)
        tot += loss.item() * len(xb)
    sched.step()
    print(f"epoch {epoch + 1:2d} huber {tot / len(train_ds):.4f}  val MAE {mae_minutes(model):.2f} min  "
          f"(ema {mae_minutes(ema):.2f})")

buf = io.BytesIO()
torch.save(ema, buf)
buf.seek(0)
shipped = torch.load(buf, weights_only=False)
baseline = np.abs(yva - med).mean()
print(f"final val MAE {mae_minutes(shipped):.3f} min (median baseline {baseline:.3f} min)")
