"""Next-6-hours forecast of feeder load from the previous 36 hours (GRU encoder, direct
multi-horizon head). Keeps an EMA copy of the weights for evaluation and export; series are
scaled per window by the last day's mean/std (a RevIN-style normalisation, inverted on output)."""
import copy

import numpy as np
import torch
from torch import nn

torch.manual_seed(8)
rng = np.random.default_rng(8)
LOOKBACK, HORIZON = 36, 6


def feeder_series(hours):
    t = np.arange(hours)
    base = rng.uniform(200, 900)
    daily = 0.25 * np.sin(2 * np.pi * (t - 7) / 24) + 0.1 * np.sin(4 * np.pi * (t - 3) / 24)
    weekly = 0.08 * np.sin(2 * np.pi * t / 168)
    trend = rng.normal(0, 0.0004) * t
    noise = np.convolve(rng.normal(0, 0.04, hours), np.ones(3) / 3, mode="same")
    return base * (1 + daily + weekly + trend + noise)


def windows(series_list, stride):
    xs, ys = [], []
    for s in series_list:
        for i in range(0, len(s) - LOOKBACK - HORIZON, stride):
            xs.append(s[i:i + LOOKBACK])
            ys.append(s[i + LOOKBACK:i + LOOKBACK + HORIZON])
    return torch.tensor(np.array(xs), dtype=torch.float32), torch.tensor(np.array(ys), dtype=torch.float32)


feeders = [feeder_series(24 * 60) for _ in range(16)]
X_tr, Y_tr = windows(feeders[:12], stride=7)                  # whole feeders held out for validation
X_va, Y_va = windows(feeders[12:], stride=12)


class Forecaster(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, HORIZON)

    def forward(self, x):
        ref = x[:, -24:]
        mu, sd = ref.mean(1, keepdim=True), ref.std(1, keepdim=True) + 1e-3
        h, _ = self.gru(((x - mu) / sd).unsqueeze(-1))
        return self.head(h[:, -1]) * sd + mu


def scaled_loss(pred, target, x):
    sd = x[:, -24:].std(1, keepdim=True) + 1e-3               # errors in units of the window's spread
    return nn.functional.mse_loss(pred / sd, target / sd)


model = Forecaster()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)
EPOCHS, BATCH = 12, 64
steps_per_epoch = (len(X_tr) + BATCH - 1) // BATCH
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=EPOCHS * steps_per_epoch)


@torch.no_grad()
def ema_update(decay=0.98):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)


@torch.no_grad()
def evaluate(net):
    net.eval()
    abs_err, sq_err, count = 0.0, 0.0, 0
    for i in range(0, len(X_va), 256):
        pred = net(X_va[i:i + 256])
        abs_err += (pred - Y_va[i:i + 256]).abs().sum().item()
        sq_err += ((pred - Y_va[i:i + 256]) ** 2).sum().item()
        count += pred.numel()
    mape_like = abs_err / Y_va.abs().sum().item()
    return mape_like, (sq_err / count) ** 0.5


naive = (X_va[:, -24:-24 + HORIZON] - Y_va).abs().sum().item() / Y_va.abs().sum().item()  # same hours yesterday
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(perm), BATCH):
        idx = perm[i:i + BATCH]
        optimizer.zero_grad(set_to_none=True)
        loss = scaled_loss(model(X_tr[idx]), Y_tr[idx], X_tr[idx])
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        ema_update()
    wape, rmse = evaluate(ema)
    print(f"epoch {epoch + 1} train_loss {loss.item():.4f} ema val WAPE {wape:.4f} RMSE {rmse:.2f}")

torch.save(ema, "/tmp/feeder_forecaster_ema.pt")
print(f"final val WAPE {wape:.4f} (seasonal-naive {naive:.4f}) RMSE {rmse:.2f}")
