"""Day-ahead probabilistic load forecast for feeders: a GRU reads one week of hourly load
(168 steps) and emits the 10/50/90% quantiles of each of the next 24 hours. Pinball loss,
per-window scaling, gradient-norm clipping, linear warm-up then cosine decay."""
import numpy as np
import torch
from torch import nn

torch.manual_seed(8)
rng = np.random.default_rng(8)

N_FEEDERS, HOURS = 12, 24 * 7 * 30
LOOKBACK, HORIZON = 168, 24
QUANTILES = torch.tensor([0.1, 0.5, 0.9])

t = np.arange(HOURS)
series = []
for f in range(N_FEEDERS):
    level = rng.uniform(50, 400)
    daily = np.sin(2 * np.pi * (t % 24 - 7) / 24) + 0.5 * np.sin(4 * np.pi * (t % 24) / 24)
    weekly = np.where((t // 24) % 7 >= 5, -0.25, 0.05)
    ar = np.zeros(HOURS)
    for k in range(1, HOURS):
        ar[k] = 0.95 * ar[k - 1] + rng.normal(0, 0.05)
    spikes = (rng.random(HOURS) < 0.01) * rng.exponential(0.4, HOURS)
    series.append(level * (1 + 0.3 * daily + weekly + ar + spikes + rng.normal(0, 0.03, HOURS)))
series = np.stack(series).astype(np.float32)

split = int(HOURS * 0.8)


def windows(lo, hi, stride):
    xs, ys = [], []
    for s in range(lo, hi - LOOKBACK - HORIZON + 1, stride):
        xs.append(series[:, s:s + LOOKBACK]); ys.append(series[:, s + LOOKBACK:s + LOOKBACK + HORIZON])
    return torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ys))


X_tr, Y_tr = windows(0, split, 24)                   # one window per feeder-day
X_va, Y_va = windows(split - LOOKBACK, HOURS, 24)    # forecasts for days after the split


class QuantileGRU(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(input_size=3, hidden_size=hidden, batch_first=True)
        self.head = nn.Linear(hidden, HORIZON * len(QUANTILES))

    def forward(self, x):
        loc = x.mean(1, keepdim=True)
        scale = x.std(1, keepdim=True) + 1e-3
        z = (x - loc) / scale
        hod = torch.arange(x.shape[1], device=x.device) % 24
        feats = torch.stack([z, torch.sin(2 * torch.pi * hod / 24).expand_as(z),
                             torch.cos(2 * torch.pi * hod / 24).expand_as(z)], -1)
        _, h = self.gru(feats)
        q = self.head(h[-1]).view(-1, HORIZON, len(QUANTILES))
        return loc.unsqueeze(-1) + scale.unsqueeze(-1) * q


def pinball(pred, y):
    diff = y.unsqueeze(-1) - pred
    return torch.maximum(QUANTILES * diff, (QUANTILES - 1) * diff).mean()


def scaled_pinball(pred, y, x):
    # pinball divided by each window's scale, so large feeders do not dominate the loss
    s = x.std(1).view(-1, 1, 1) + 1e-3
    diff = (y.unsqueeze(-1) - pred) / s
    return torch.maximum(QUANTILES * diff, (QUANTILES - 1) * diff).mean()


model = QuantileGRU()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
EPOCHS, BATCH = 10, 64
steps_per_epoch = (len(X_tr) + BATCH - 1) // BATCH
total = EPOCHS * steps_per_epoch
warm = steps_per_epoch
scheduler = torch.optim.lr_scheduler.SequentialLR(
    optimizer,
    [torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.05, total_iters=warm),
     torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total - warm, eta_min=1e-4)],
    milestones=[warm])


def evaluate():
    model.eval()
    with torch.no_grad():
        pred = model(X_va)
        loss = pinball(pred, Y_va).item()
        cover = ((Y_va >= pred[..., 0]) & (Y_va <= pred[..., 2])).float().mean().item()
    model.train()
    return loss, cover


for epoch in range(1, EPOCHS + 1):
    perm = torch.randperm(len(X_tr))
    for s in range(0, len(perm), BATCH):
        idx = perm[s:s + BATCH]
        loss = scaled_pinball(model(X_tr[idx]), Y_tr[idx], X_tr[idx])
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
    if epoch % 2 == 0:
        vl, cov = evaluate()
        print(f"epoch {epoch:2d}  train scaled pinball {loss.item():.4f}  val pinball {vl:.3f}  80% coverage {cov:.3f}")

# seasonal-naive baseline: yesterday's same hour as the median, with the training residual quantiles
res = (Y_tr - X_tr[:, -24:]) / X_tr[:, -24:]
rq = torch.quantile(res.flatten()[:200000], QUANTILES)
naive = X_va[:, -24:].unsqueeze(-1) * (1 + rq)
naive_cov = ((Y_va >= naive[..., 0]) & (Y_va <= naive[..., 2])).float().mean().item()
vl, cov = evaluate()
print(f"baseline (seasonal naive + residual quantiles) val pinball {pinball(naive, Y_va).item():.3f}  coverage {naive_cov:.3f}")
print(f"final val pinball {vl:.3f}  80% coverage {cov:.3f}")
