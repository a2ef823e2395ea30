"""Motor third-party-liability claim frequency (synthetic portfolio in the style of
freMTPL). A small log-link network predicts the claim rate per policy-year; the
policy's exposure enters as an offset, so the Poisson mean is exposure * rate.

The update is written out by hand: SGD with heavy-ball momentum on the mean Poisson
deviance, as the pricing team's reference implementation does it."""
import numpy as np
import torch
from torch import nn

torch.manual_seed(8)
rng = np.random.default_rng(8)

N = 12000
REGIONS = 8


def portfolio():
    driver_age = rng.uniform(18, 85, N)
    veh_age = rng.gamma(2.0, 3.0, N).clip(0, 25)
    veh_power = rng.integers(4, 13, N).astype(float)
    bonus_malus = rng.choice([50, 50, 50, 55, 60, 68, 76, 85, 95, 100, 120, 150], N).astype(float)
    log_density = rng.normal(6.5, 1.8, N)
    region = rng.integers(0, REGIONS, N)
    exposure = rng.uniform(0.05, 1.0, N)
    region_eff = rng.normal(0, 0.25, REGIONS)
    log_rate = (-2.6 + 0.9 * np.exp(-(driver_age - 18) / 8) + 0.25 * ((driver_age - 50) / 20) ** 2
                - 0.03 * veh_age + 0.06 * (veh_power - 7) + 0.012 * (bonus_malus - 50)
                + 0.09 * (log_density - 6.5) + region_eff[region])
    claims = rng.poisson(exposure * np.exp(log_rate))
    cont = np.column_stack([driver_age, veh_age, veh_power, bonus_malus, log_density])
    return cont, region, exposure, claims


cont, region, exposure, claims = portfolio()
split = int(0.8 * N)
mu, sd = cont[:split].mean(0), cont[:split].std(0)
X = np.hstack([(cont - mu) / sd, np.eye(REGIONS)[region]]).astype(np.float32)

X = torch.from_numpy(X)
log_expo = torch.from_numpy(np.log(exposure).astype(np.float32))
y = torch.from_numpy(claims.astype(np.float32))
Xtr, Etr, ytr = X[:split], log_expo[:split], y[:split]
Xva, Eva, yva = X[split:], log_expo[split:], y[split:]


class FrequencyNet(nn.Module):
    def __init__(self, d_in):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, 32), nn.Tanh(), nn.Linear(32, 16), nn.Tanh())
        self.out = nn.Linear(16, 1)
        # start at the portfolio's average claim rate
        nn.init.zeros_(self.out.weight)
        nn.init.constant_(self.out.bias, float(np.log(ytr.sum() / Etr.exp().sum())))

    def forward(self, x, offset):
        return self.out(self.body(x)).squeeze(1) + offset      # log of the expected count


def deviance(log_mu, k):
    # unit Poisson deviance, written on the log scale so that k = 0 is safe
    return 2 * (torch.special.xlogy(k, k) - k * log_mu - k + log_mu.exp())


model = FrequencyNet(X.shape[1])
lr, beta, batch = 0.02, 0.9, 256
velocity = [torch.zeros_like(p) for p in model.parameters()]
null_rate = ytr.sum() / Etr.exp().sum()

for epoch in range(15):
    perm = torch.randperm(len(Xtr))
    model.train()
    for i in range(0, len(perm), batch):
        idx = perm[i:i + batch]
        loss = deviance(model(Xtr[idx], Etr[idx]), ytr[idx]).mean()
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(beta).add_(p.grad)
                p -= lr * v
    model.eval()
    with torch.no_grad():
        dev = deviance(model(Xva, Eva), yva).sum().item()
        null = deviance(torch.log(null_rate) + Eva, yva).sum().item()
    print(f"epoch {epoch + 1:2d} train_dev {loss.item():.4f} val_dev {dev / len(yva):.4f} "
          f"deviance_explained {1 - dev / null:.4f}")

print(f"final val deviance_explained {1 - dev / null:.4f} (null {null / len(yva):.4f}, model {dev / len(yva):.4f})")
