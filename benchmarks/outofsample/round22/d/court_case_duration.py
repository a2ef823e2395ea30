"""Predict how long a civil case will take from filing to disposition (days).

Inputs: court (28), case type (9) and judge (140) as embeddings, plus filing-time numerics
(claim amount, parties, motions filed in the first 30 days, counsel experience, backlog).
Durations are heavy-tailed (a few cases run for years), so the model predicts log1p(days)
under a Huber loss; OneCycle schedule stepped per batch, bf16 autocast, best-epoch restore.
"""
import copy
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
rng = np.random.default_rng(8)
N_COURT, N_TYPE, N_JUDGE = 28, 9, 140


def dockets(n):
    court = rng.integers(0, N_COURT, n)
    ctype = rng.integers(0, N_TYPE, n)
    judge = court * 5 + rng.integers(0, 5, n)                  # judges sit in one court
    court_eff = rng.normal(0, 0.35, N_COURT)[court]
    type_eff = np.linspace(-0.6, 0.9, N_TYPE)[ctype]
    judge_eff = rng.normal(0, 0.2, N_JUDGE)[judge]
    claim = np.exp(rng.normal(10.5, 1.6, n))                   # $ claimed
    parties = rng.poisson(1.5, n) + 2
    motions = rng.poisson(0.8 + 0.4 * (ctype > 5), n)
    counsel_yrs = rng.gamma(3.0, 4.0, n)
    backlog = rng.normal(0, 1, n)
    mu = (5.3 + court_eff + type_eff + judge_eff + 0.12 * (np.log(claim) - 10.5)
          + 0.08 * (parties - 3) + 0.18 * motions - 0.015 * (counsel_yrs - 12) + 0.25 * backlog)
    days = np.exp(mu + rng.standard_t(3, n) * 0.35)            # heavy tails
    num = np.column_stack([np.log(claim), parties, motions, counsel_yrs, backlog]).astype(np.float32)
    cat = np.column_stack([court, ctype, judge]).astype(np.int64)
    return num, cat, days.astype(np.float32)


class DurationNet(nn.Module):
    def __init__(self, n_num):
        super().__init__()
        self.court = nn.Embedding(N_COURT, 6)
        self.ctype = nn.Embedding(N_TYPE, 4)
        self.judge = nn.Embedding(N_JUDGE, 8)
        self.mlp = nn.Sequential(
            nn.Linear(n_num + 18, 96), nn.SiLU(), nn.Dropout(0.1),
            nn.Linear(96, 48), nn.SiLU(),
            nn.Linear(48, 1),
        )

    def forward(self, x_num, x_cat):
        e = torch.cat([self.court(x_cat[:, 0]), self.ctype(x_cat[:, 1]), self.judge(x_cat[:, 2])], dim=1)
        return self.mlp(torch.cat([x_num, e], dim=1)).squeeze(-1)


num, cat, days = dockets(6000)
tr, va = slice(0, 4800), slice(4800, None)
mu, sd = num[tr].mean(0), num[tr].std(0)
num = (num - mu) / sd
t = np.log1p(days)
t_mu, t_sd = t[tr].mean(), t[tr].std()
target = ((t - t_mu) / t_sd).astype(np.float32)

train_dl = DataLoader(TensorDataset(torch.tensor(num[tr]), torch.tensor(cat[tr]), torch.tensor(target[tr])),
                      batch_size=128, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.tensor(num[va]), torch.tensor(cat[va]), torch.tensor(target[va])),
                    batch_size=1200)

model = DurationNet(num.shape[1])
epochs = 20
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * len(train_dl), pct_start=0.25)
crit = nn.HuberLoss(delta=1.0)

best, best_state = math.inf, None
for epoch in range(epochs):
    model.train()
    for xn, xc, yb in train_dl:
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            pred = model(xn, xc)
        loss = crit(pred.float(), yb)
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        vloss = sum(crit(model(xn, xc), yb).item() * len(yb) for xn, xc, yb in val_dl) / (6000 - 4800)
    if vloss < best:
        best, best_state = vloss, copy.deepcopy(model.state_dict())
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d} val_huber {vloss:.4f} lr {sched.get_last_lr()[0]:.2e}")

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    xn, xc, yb = next(iter(val_dl))
    pred_days = np.expm1(model(xn, xc).numpy() * t_sd + t_mu)
true_days = days[va]
mdae = np.median(np.abs(pred_days - true_days))
log_r2 = 1 - np.mean((np.log1p(pred_days) - np.log1p(true_days)) ** 2) / np.var(np.log1p(true_days))
base = np.median(np.abs(np.median(days[tr]) - true_days))
print(f"final val_median_abs_err_days {mdae:.1f} (median baseline {base:.1f}) val_log_r2 {log_r2:.4f}")
