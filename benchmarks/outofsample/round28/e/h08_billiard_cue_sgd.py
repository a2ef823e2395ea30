"""Billiards coaching rig: predict where the cue ball comes to rest (x, y on a 2.54 x 1.27 m
table, after one cushion) from the measured shot: cue speed, aim angle, top/back spin, side
spin, cue elevation. Small tanh MLP with Xavier init, trained by a hand-written SGD update with
a step decay; no torch.optim.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(41)
rng = np.random.default_rng(41)
N = 3000
speed = rng.uniform(0.5, 3.0, N)          # m/s
aim = rng.uniform(-0.6, 0.6, N)           # rad
top = rng.uniform(-1, 1, N)               # follow (+) / draw (-)
side = rng.uniform(-1, 1, N)              # english
elev = rng.uniform(0, 0.35, N)            # rad

roll = 0.6 * speed ** 2 * (1 + 0.25 * top)                 # rolling distance
defl = aim + 0.15 * side * speed + 0.3 * elev * side        # squirt + swerve
x = 0.4 + roll * np.cos(defl)
y = 0.635 + roll * np.sin(defl)
x = np.where(x > 2.54, 2 * 2.54 - x - 0.2 * side, x)       # one bounce off the far cushion
y = np.clip(y, 0.03, 1.24)
Y = np.stack([x, y], 1) + rng.normal(0, 0.02, (N, 2))
X = np.stack([speed, aim, top, side, elev], 1)

idx = rng.permutation(N)
tr, va = idx[:2400], idx[2400:]
xm, xs = X[tr].mean(0), X[tr].std(0)
ym, ys = Y[tr].mean(0), Y[tr].std(0)
Xt = torch.tensor((X - xm) / xs, dtype=torch.float32)
Yt = torch.tensor((Y - ym) / ys, dtype=torch.float32)

model = nn.Sequential(nn.Linear(5, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))
for m in model:
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)

lr, bs = 0.1, 32
tr_t = torch.tensor(tr)
for epoch in range(60):
    if epoch in (30, 45):
        lr *= 0.3
    model.train()
    perm = tr_t[torch.randperm(len(tr_t))]
    for i in range(0, len(perm), bs):
        b = perm[i:i + bs]
        loss = ((model(Xt[b]) - Yt[b]) ** 2).mean()
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    if epoch % 15 == 14:
        model.eval()
        with torch.no_grad():
            pred = model(Xt[va]).numpy() * ys + ym
        err = np.linalg.norm(pred - Y[va], axis=1)
        print(f"epoch {epoch + 1} train mse {loss.item():.4f} val mean error {100 * err.mean():.1f} cm")

print(f"final val mean resting-point error {100 * err.mean():.1f} cm (predict-mean {100 * np.linalg.norm(ym - Y[va], axis=1).mean():.1f} cm)")
