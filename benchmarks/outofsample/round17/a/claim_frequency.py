"""Motor third-party liability: claim frequency per policy-year. A small
Poisson network with log(exposure) as an offset, fitted by hand-written
minibatch SGD; reported as the share of Poisson deviance explained on a
hold-out year compared to the portfolio's flat rate."""
import numpy as np
import torch
from torch import nn

torch.manual_seed(4)
rng = np.random.default_rng(4)

N_REGIONS = 8


def simulate_portfolio(n):
    driver_age = rng.uniform(18, 85, n)
    veh_power = rng.integers(4, 16, n)
    veh_age = rng.exponential(6, n).clip(0, 30)
    bonus_malus = np.clip(rng.lognormal(np.log(70), 0.3, n), 50, 230)
    region = rng.integers(0, N_REGIONS, n)
    exposure = rng.uniform(0.05, 1.0, n)
    region_eff = np.linspace(-0.6, 0.7, N_REGIONS)[region]
    log_rate = (-1.7 + 0.9 * np.exp(-(driver_age - 18) / 8) + 0.006 * (driver_age - 50) ** 2 / 50
                + 0.04 * (veh_power - 8) - 0.02 * veh_age + 0.02 * (bonus_malus - 70) + region_eff)
    claims = rng.poisson(exposure * np.exp(log_rate))
    cont = np.stack([driver_age, veh_power, veh_age, bonus_malus], 1).astype(np.float32)
    onehot = np.eye(N_REGIONS, dtype=np.float32)[region]
    return cont, onehot, exposure.astype(np.float32), claims.astype(np.float32)


cont_tr, reg_tr, exp_tr, y_tr = simulate_portfolio(20000)
cont_te, reg_te, exp_te, y_te = simulate_portfolio(8000)
mu, sd = cont_tr.mean(0), cont_tr.std(0)
X_tr = torch.tensor(np.hstack([(cont_tr - mu) / sd, reg_tr]))
X_te = torch.tensor(np.hstack([(cont_te - mu) / sd, reg_te]))
off_tr, off_te = torch.log(torch.tensor(exp_tr)), torch.log(torch.tensor(exp_te))
y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

model = nn.Sequential(nn.Linear(X_tr.shape[1], 32), nn.Tanh(), nn.Linear(32, 16), nn.Tanh(),
                      nn.Linear(16, 1))
portfolio_rate = (y_tr.sum() / torch.exp(off_tr).sum()).item()
with torch.no_grad():
    model[-1].bias.fill_(np.log(portfolio_rate))

loss_fn = nn.PoissonNLLLoss(log_input=True, full=False)


def poisson_deviance(y, mu):
    term = torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(y))
    return 2 * (term - (y - mu)).sum().item()


lr, batch_size, epochs = 0.1, 256, 16
for epoch in range(epochs):
    perm = torch.randperm(len(y_tr))
    for i in range(0, len(perm), batch_size):
        idx = perm[i:i + batch_size]
        log_mu = model(X_tr[idx]).squeeze(1) + off_tr[idx]
        loss = loss_fn(log_mu, y_tr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    if epoch == 11:
        lr *= 0.3
    with torch.no_grad():
        mu_te = torch.exp(model(X_te).squeeze(1) + off_te)
        dev = poisson_deviance(y_te, mu_te)
    print(f"epoch {epoch}: train nll {loss.item():.4f} hold-out deviance {dev:.1f}")

with torch.no_grad():
    mu_te = torch.exp(model(X_te).squeeze(1) + off_te)
    flat = portfolio_rate * torch.exp(off_te)
    d_model, d_flat = poisson_deviance(y_te, mu_te), poisson_deviance(y_te, flat)
print(f"hold-out deviance explained {1 - d_model / d_flat:.4f} (model {d_model:.1f}, flat rate {d_flat:.1f})")
