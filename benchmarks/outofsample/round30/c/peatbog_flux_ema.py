"""Peat-bog methane flux from chamber campaigns.

Each row is one closed-chamber measurement on a restored raised bog: water-table depth,
peat temperature at 5 and 15 cm, sedge cover, Sphagnum cover, recent rain, air pressure
trend, days since rewetting. The flux (nmol m-2 s-1) is heavy-tailed: ebullition events
give rare huge values. Huber loss on the asinh-transformed flux, hand-written SGD with
momentum, gradient-norm clipping as insurance, and an EMA copy of the weights that is
saved whole and reloaded to score.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(17)
rng = np.random.default_rng(17)

N = 3000
wt = rng.normal(-12, 9, N)                         # water table, cm (negative: below surface)
t5 = rng.normal(12, 5, N)
t15 = t5 - rng.gamma(2, 1.0, N)
sedge = rng.beta(2, 5, N)
sphag = rng.beta(3, 2, N)
rain = rng.gamma(0.8, 6, N)
dp = rng.normal(0, 2.5, N)                         # pressure change over 6 h, hPa
days = rng.uniform(30, 2500, N)
base = np.exp(0.09 * t15 + 0.06 * np.minimum(wt, 0) + 1.6 * sedge - 0.4 * sphag + 0.25 * np.log(days / 365))
ebullition = (rng.random(N) < 0.04 + 0.05 * (dp < -2)) * rng.pareto(1.6, N) * 30
flux = 20 * base * rng.lognormal(0, 0.35, N) + ebullition

X = np.stack([wt, t5, t15, sedge, sphag, np.log1p(rain), dp, np.log(days)], 1).astype(np.float32)
y = np.arcsinh(flux / 5).astype(np.float32)

perm = rng.permutation(N)
tr, va = perm[:2400], perm[2400:]
mu, sd = X[tr].mean(0), X[tr].std(0)
X = (X - mu) / sd
Xtr, ytr = torch.from_numpy(X[tr]), torch.from_numpy(y[tr])
Xva, yva = torch.from_numpy(X[va]), torch.from_numpy(y[va])

model = nn.Sequential(
    nn.Linear(8, 64), nn.SiLU(),
    nn.Linear(64, 64), nn.SiLU(),
    nn.Linear(64, 1),
)
with torch.no_grad():
    model[-1].bias.fill_(float(ytr.mean()))
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)

loss_fn = nn.HuberLoss(delta=1.0)
lr, mom, decay, batch = 0.03, 0.9, 0.995, 32
velocity = [torch.zeros_like(p) for p in model.parameters()]

for epoch in range(25):
    model.train()
    order = torch.randperm(len(Xtr))
    for i in range(0, len(order), batch):
        idx = order[i:i + batch]
        loss = loss_fn(model(Xtr[idx]).squeeze(-1), ytr[idx])
        model.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(mom).add_(p.grad)
                p -= lr * v
            for pe, p in zip(ema.parameters(), model.parameters()):
                pe.mul_(decay).add_(p, alpha=1 - decay)
    if (epoch + 1) % 5 == 0:
        model.eval()
        with torch.no_grad():
            tr_l = loss_fn(model(Xtr).squeeze(-1), ytr).item()
            va_l = loss_fn(ema(Xva).squeeze(-1), yva).item()
        print(f"epoch {epoch + 1:2d}  train huber {tr_l:.4f}  val huber (EMA) {va_l:.4f}")

path = os.path.join(tempfile.mkdtemp(), "flux_ema.pt")
torch.save(ema, path)
scorer = torch.load(path, weights_only=False)
scorer.eval()
with torch.no_grad():
    pred = scorer(Xva).squeeze(-1)
r2 = 1 - ((pred - yva) ** 2).sum().item() / ((yva - yva.mean()) ** 2).sum().item()
mae_flux = (5 * torch.sinh(pred) - 5 * torch.sinh(yva)).abs().median().item()
print(f"FINAL val_r2_asinh={r2:.4f} val_median_abs_err_flux={mae_flux:.2f} nmol/m2/s")
