"""Rip-current risk level for a surf-lifesaving beach, from the wave buoy.

Every 30 minutes the nearshore buoy reports a 24-bin wave energy spectrum; with
tide height, tide trend, wind and the sandbar survey gap it is turned into the
flag the patrol raises (0 = green, 1 = yellow, 2 = red, 3 = closed).  The team
trains with a hand-rolled momentum SGD (ported from their old C++ tool) and
ships an exponential moving average of the weights.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(42)
rng = np.random.default_rng(42)

N, BINS = 3200, 24
freqs = np.linspace(0.04, 0.5, BINS)
hs = rng.gamma(3.0, 0.45, N)                        # significant wave height, m
tp = rng.uniform(5, 16, N)                          # peak period, s
spread = rng.uniform(0.02, 0.08, N)
spectrum = hs[:, None] ** 2 * np.exp(-0.5 * ((freqs[None] - 1 / tp[:, None]) / spread[:, None]) ** 2)
spectrum += rng.gamma(1.0, 0.01, (N, BINS))
tide = rng.uniform(0.0, 2.4, N)
tide_trend = rng.normal(0, 1, N)                    # falling tide -> stronger rips
wind_on = rng.normal(3, 4, N)
bar_gap = rng.uniform(0, 1, N)
score = (1.1 * hs + 0.22 * tp - 0.9 * tide - 0.5 * tide_trend + 1.6 * bar_gap
         - 0.05 * wind_on + rng.normal(0, 0.45, N))
level = np.digitize(score, np.quantile(score, [0.4, 0.7, 0.9]))

X = np.column_stack([np.log1p(spectrum * 100), tide, tide_trend, wind_on, bar_gap]).astype(np.float32)
y = level.astype(np.int64)
perm = rng.permutation(N)
tr, va = perm[:2600], perm[2600:]
mu, sd = X[tr].mean(0), X[tr].std(0)
Xt = torch.from_numpy((X - mu) / sd)
yt = torch.from_numpy(y)

model = nn.Sequential(
    nn.Linear(X.shape[1], 128), nn.GELU(),
    nn.Linear(128, 64), nn.GELU(),
    nn.Linear(64, 4),
)
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)

lr, momentum, wd, ema_decay = 0.05, 0.9, 5e-4, 0.99
velocity = [torch.zeros_like(p) for p in model.parameters()]
batch = 64
steps_per_epoch = len(tr) // batch


def evaluate(net, idx):
    net.eval()
    with torch.no_grad():
        logits = net(Xt[idx])
        loss = F.cross_entropy(logits, yt[idx]).item()
        pred = logits.argmax(1)
        acc = (pred == yt[idx]).float().mean().item()
        within_one = ((pred - yt[idx]).abs() <= 1).float().mean().item()
    return loss, acc, within_one


for epoch in range(20):
    model.train()
    order = torch.from_numpy(tr[rng.permutation(len(tr))])
    running = 0.0
    for i in range(steps_per_epoch):
        idx = order[i * batch:(i + 1) * batch]
        loss = F.cross_entropy(model(Xt[idx]), yt[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                g = p.grad + wd * p if p.dim() > 1 else p.grad
                v.mul_(momentum).add_(g)
                p -= lr * v
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(ema_decay).add_(pm, alpha=1 - ema_decay)
        running += loss.item()
    if epoch % 5 == 4 or epoch == 19:
        vl, va_acc, _ = evaluate(ema, va)
        print(f"epoch {epoch + 1:2d} train_loss {running / steps_per_epoch:.4f} ema_val_loss {vl:.4f} ema_val_acc {va_acc:.4f}")

path = os.path.join(tempfile.gettempdir(), "rip_current_ema.pt")
torch.save(ema, path)
restored = torch.load(path, weights_only=False)
vl, acc, within = evaluate(restored, va)
print(f"final ema val_loss {vl:.4f} val_acc {acc:.4f} within_one_level {within:.4f}")
