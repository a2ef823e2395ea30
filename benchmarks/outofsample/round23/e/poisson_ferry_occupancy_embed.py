"""Foot-passenger counts per ferry sailing for the island network's crew planner. Each
sailing has a route, departure hour, weekday and month (embedded), plus forecast wind and
rain, a school-holiday flag and a festival flag. Counts are modelled directly as Poisson
(log link, PoissonNLLLoss on log-rates) with the output bias started at log(mean count);
targets are raw counts on purpose. Validation reports the summed Poisson deviance divided by
the number of sailings, accumulated with reduction="sum" over batches.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(14)
rng = np.random.default_rng(14)
N = 9000
R = 12

route = rng.integers(0, R, N)
hour = rng.integers(5, 23, N)
dow = rng.integers(0, 7, N)
month = rng.integers(0, 12, N)
wind = rng.gamma(2.0, 6.0, N)                      # m/s forecast
rain = rng.exponential(1.5, N) * (rng.random(N) < 0.4)
holiday = (rng.random(N) < 0.2).astype(float)
festival = (rng.random(N) < 0.03).astype(float)

route_pop = rng.normal(3.6, 0.6, R)
commute = np.where(dow < 5, np.exp(-((hour - 8) ** 2) / 3) + 0.8 * np.exp(-((hour - 17.5) ** 2) / 3), 0.0)
leisure = np.where(dow >= 5, 0.9 * np.exp(-((hour - 12) ** 2) / 12), 0.3 * np.exp(-((hour - 12) ** 2) / 12))
summer = 0.5 * np.cos(2 * np.pi * (month - 6.5) / 12)
log_mu = (route_pop[route] + 1.1 * commute + leisure * (1 + holiday) + summer * (1 + 0.6 * (route % 3 == 0))
          - 0.03 * wind - 0.12 * rain + 1.2 * festival - 0.4)
count = rng.poisson(np.exp(log_mu) * rng.gamma(20, 1 / 20, N))   # mild over-dispersion

cat = np.column_stack([route, hour, dow, month]).astype(np.int64)
num = np.column_stack([wind, rain, holiday, festival]).astype(np.float32)
perm = rng.permutation(N)
tr, va = perm[:7200], perm[7200:]
num_mu, num_sd = num[tr].mean(0), num[tr].std(0)
num_mu[2:], num_sd[2:] = 0.0, 1.0                  # flags stay 0/1
num = (num - num_mu) / num_sd
y = count.astype(np.float32)


def loader(idx, bs, shuffle):
    return DataLoader(TensorDataset(torch.from_numpy(cat[idx]), torch.from_numpy(num[idx]), torch.from_numpy(y[idx])),
                      batch_size=bs, shuffle=shuffle)


train_dl, val_dl = loader(tr, 128, True), loader(va, 512, False)


class SailingModel(nn.Module):
    def __init__(self, cards=(R, 24, 7, 12), dims=(6, 6, 3, 4), n_num=4, hidden=64):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(c, d) for c, d in zip(cards, dims))
        self.mlp = nn.Sequential(nn.Linear(sum(dims) + n_num, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, c, x):
        h = torch.cat([e(c[:, i]) for i, e in enumerate(self.embs)] + [x], 1)
        return self.mlp(h).squeeze(1)                  # log expected passengers


model = SailingModel()
with torch.no_grad():
    model.mlp[-1].bias.fill_(float(np.log(y[tr].mean())))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.PoissonNLLLoss(log_input=True, full=False)


def poisson_deviance_sum(log_rate, target):
    mu = log_rate.exp()
    term = torch.where(target > 0, target * torch.log(target / mu), torch.zeros_like(target))
    return 2 * (term - (target - mu)).sum()


for epoch in range(24):
    model.train()
    for c, x, yb in train_dl:
        loss = loss_fn(model(c, x), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    dev, nll, abs_err = 0.0, 0.0, 0.0
    with torch.no_grad():
        for c, x, yb in val_dl:
            lr_ = model(c, x)
            dev += poisson_deviance_sum(lr_, yb).item()
            nll += nn.functional.poisson_nll_loss(lr_, yb, log_input=True, reduction="sum").item()
            abs_err += (lr_.exp() - yb).abs().sum().item()
    n_val = len(va)
    if epoch % 6 == 5:
        print(f"epoch {epoch + 1} val_nll {nll / n_val:.3f} val_mean_deviance {dev / n_val:.3f} val_MAE {abs_err / n_val:.2f} pax")

const = y[tr].mean()
const_dev = 2 * np.mean(np.where(y[va] > 0, y[va] * np.log(np.maximum(y[va], 1e-9) / const), 0) - (y[va] - const))
print(f"final val mean Poisson deviance {dev / n_val:.3f} (constant-rate model {const_dev:.3f}), MAE {abs_err / n_val:.2f} pax")
