"""Second cuts per fleece in a shearing shed (a count: short snippets that lower the wool's value).

Per fleece: shearer (one of 30, one-hot), breed (one of 7, one-hot), comb type (one-hot),
shearer's seasons of experience, fleece weight, staple length, whether the sheep was wet, run
number in the day, and minutes since the last break. A wide-and-deep network outputs a log-rate and is
trained with PoissonNLLLoss(log_input=True) on the raw counts; the output bias starts at
log(mean count). Micro-batches of 32 with gradients accumulated over 4 (effective batch 128),
the loss divided by the accumulation count. Scored by Poisson deviance explained (D^2).
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(12)
rng = np.random.default_rng(12)
N_SHEARER, N_BREED, N_COMB = 30, 7, 3
shearer_skill = rng.normal(0, 0.45, N_SHEARER)
breed_effect = np.array([0.0, 0.35, -0.2, 0.6, 0.1, -0.35, 0.25])   # wrinkly merino-types cut more
comb_effect = np.array([0.0, -0.15, 0.2])


def tally(n):
    s = rng.integers(0, N_SHEARER, n)
    b = rng.integers(0, N_BREED, n)
    c = rng.integers(0, N_COMB, n)
    exp_seasons = rng.gamma(2.0, 3.0, n)
    weight = rng.normal(4.5, 1.1, n).clip(1.5)
    staple = rng.normal(85, 15, n).clip(30)
    wet = (rng.random(n) < 0.12).astype(float)
    run = rng.integers(1, 5, n)
    since_break = rng.uniform(0, 120, n)
    log_rate = (1.2 + shearer_skill[s] + breed_effect[b] + comb_effect[c] - 0.35 * np.log1p(exp_seasons)
                + 0.12 * (weight - 4.5) + 0.4 * wet + 0.004 * since_break + 0.05 * (run - 2.5)
                + 0.003 * (staple - 85))
    counts = rng.poisson(np.exp(log_rate) * rng.gamma(5.0, 1 / 5.0, n))        # some extra dispersion
    onehots = np.concatenate([np.eye(N_SHEARER)[s], np.eye(N_BREED)[b], np.eye(N_COMB)[c]], axis=1)
    cont = np.column_stack([np.log1p(exp_seasons), weight, staple, run, since_break])
    return onehots.astype(np.float32), cont.astype(np.float32), wet.astype(np.float32), counts.astype(np.float32)


oh_tr, ct_tr, wet_tr, y_tr = tally(4000)
oh_va, ct_va, wet_va, y_va = tally(1000)
mu, sd = ct_tr.mean(0), ct_tr.std(0)


def features(oh, ct, wet):
    # one-hot and binary columns go in as they are; only the continuous ones are standardised
    return torch.from_numpy(np.concatenate([oh, wet[:, None], (ct - mu) / sd], axis=1))


Xtr, Xva = features(oh_tr, ct_tr, wet_tr), features(oh_va, ct_va, wet_va)
ytr, yva = torch.from_numpy(y_tr), torch.from_numpy(y_va)

class WideDeep(nn.Module):
    """Log-linear 'wide' part (what an actuary's GLM would fit) plus a small 'deep' correction."""

    def __init__(self, d):
        super().__init__()
        self.wide = nn.Linear(d, 1)
        self.deep = nn.Sequential(nn.Linear(d, 32), nn.ReLU(), nn.Linear(32, 1, bias=False))
        nn.init.zeros_(self.deep[-1].weight)

    def forward(self, x):
        return self.wide(x) + self.deep(x)


model = WideDeep(Xtr.shape[1])
with torch.no_grad():
    model.wide.bias.fill_(float(np.log(y_tr.mean())))
loss_fn = nn.PoissonNLLLoss(log_input=True, full=False)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)
ACCUM = 4


def deviance(y, mu_hat):
    term = torch.where(y > 0, y * torch.log(y / mu_hat), torch.zeros_like(y))
    return 2 * (term - (y - mu_hat)).sum().item()


def d2():
    model.eval()
    with torch.no_grad():
        rate = model(Xva).squeeze(1).exp()
    model.train()
    return 1 - deviance(yva, rate) / deviance(yva, torch.full_like(yva, float(y_tr.mean())))


for epoch in range(12):
    opt.zero_grad()
    for i, (xb, yb) in enumerate(loader):
        loss = loss_fn(model(xb).squeeze(1), yb) / ACCUM
        loss.backward()
        if (i + 1) % ACCUM == 0 or i + 1 == len(loader):
            opt.step()
            opt.zero_grad()
    if epoch % 2 == 1:
        print(f"epoch {epoch + 1:2d} last micro-batch loss {loss.item() * ACCUM:.3f} val D2 {d2():.3f}")

print(f"count mean {y_tr.mean():.2f} var {y_tr.var():.2f} max {y_tr.max():.0f}")
print(f"final val Poisson deviance explained D2 {d2():.3f}")
