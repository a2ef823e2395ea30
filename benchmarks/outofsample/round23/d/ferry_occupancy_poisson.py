# Passenger counts per ferry sailing (archipelago network: 9 routes, 16 departure slots),
# from route / weekday / slot / month embeddings and weather + calendar covariates.
# Counts are modelled directly: the network outputs a log-rate, trained with Poisson NLL;
# the output bias starts at the log of the mean count. Mini-batches are drawn by hand from a
# permutation (no DataLoader); early stopping on validation deviance restores the best weights.
import copy

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(17)
rng = np.random.default_rng(17)

N_ROUTES, N_SLOTS = 9, 16


def simulate_sailings(n):
    route = rng.integers(0, N_ROUTES, n)
    weekday = rng.integers(0, 7, n)
    slot = rng.integers(0, N_SLOTS, n)
    month = rng.integers(0, 12, n)
    temp = 8 + 10 * np.sin((month - 3) / 12 * 2 * np.pi) + rng.normal(0, 4, n)
    rain_mm = rng.gamma(0.5, 4.0, n)
    wind = rng.weibull(2, n) * 8
    school_holiday = (rng.random(n) < 0.2 + 0.4 * np.isin(month, [6, 7])).astype(np.float32)
    event = (rng.random(n) < 0.04).astype(np.float32)

    route_base = rng.normal(3.6, 0.6, N_ROUTES)
    commuter = rng.random(N_ROUTES) < 0.5
    peak = np.exp(-0.5 * ((slot - 3) / 1.5) ** 2) + np.exp(-0.5 * ((slot - 11) / 1.5) ** 2)
    workday = weekday < 5
    log_rate = (route_base[route] + 0.9 * peak * workday * commuter[route]
                + 0.5 * (~workday) * (~commuter[route]) * np.exp(-0.5 * ((slot - 7) / 3) ** 2)
                + 0.03 * np.clip(temp - 12, -10, 15) * (~commuter[route])
                - 0.04 * rain_mm - 0.03 * np.clip(wind - 10, 0, None)
                + 0.35 * school_holiday * (~commuter[route]) - 0.2 * school_holiday * commuter[route]
                + 0.8 * event + rng.normal(0, 0.12, n))
    count = rng.poisson(np.exp(log_rate))
    cats = np.column_stack([route, weekday, slot, month]).astype(np.int64)
    cont = np.column_stack([temp, np.log1p(rain_mm), wind, school_holiday, event]).astype(np.float32)
    return cats, cont, count.astype(np.float32)


cats, cont, count = simulate_sailings(12000)
n_tr, n_va = 9000, 3000
c_mu, c_sd = cont[:n_tr, :3].mean(0), cont[:n_tr, :3].std(0)
cont[:, :3] = (cont[:, :3] - c_mu) / c_sd          # the two calendar flags stay 0/1

C = torch.from_numpy(cats)
Z = torch.from_numpy(cont)
Y = torch.from_numpy(count)
tr = torch.arange(n_tr)
va = torch.arange(n_tr, n_tr + n_va)


class SailingModel(nn.Module):
    def __init__(self, cards=(N_ROUTES, 7, N_SLOTS, 12), dims=(6, 3, 6, 4), n_cont=5):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(k, d) for k, d in zip(cards, dims))
        self.mlp = nn.Sequential(nn.Linear(sum(dims) + n_cont, 64), nn.ReLU(),
                                 nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, cats, cont):
        e = [emb(cats[:, j]) for j, emb in enumerate(self.embs)]
        return self.mlp(torch.cat(e + [cont], 1)).squeeze(-1)   # log of expected passengers


def deviance(y, mu):
    return (2 * (torch.xlogy(y, y / mu) - (y - mu))).mean().item()


model = SailingModel()
with torch.no_grad():
    model.mlp[-1].bias.fill_(float(np.log(count[:n_tr].mean())))
criterion = nn.PoissonNLLLoss(log_input=True)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)

batch_size, max_epochs, patience = 128, 30, 3
best_dev, best_state, waited = float("inf"), None, 0
for epoch in range(max_epochs):
    model.train()
    perm = tr[torch.randperm(n_tr)]
    for i in range(0, n_tr, batch_size):
        idx = perm[i:i + batch_size]
        optimizer.zero_grad()
        loss = criterion(model(C[idx], Z[idx]), Y[idx])
        loss.backward()
        optimizer.step()

    model.eval()
    with torch.no_grad():
        mu = model(C[va], Z[va]).exp()
    dev = deviance(Y[va], mu)
    print(f"epoch {epoch + 1:2d} val_poisson_deviance {dev:.4f}")
    if dev < best_dev - 1e-4:
        best_dev, best_state, waited = dev, copy.deepcopy(model.state_dict()), 0
    else:
        waited += 1
        if waited >= patience:
            break

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    mu = model(C[va], Z[va]).exp()
const = deviance(Y[va], Y[tr].mean().expand(n_va))
d2 = 1 - deviance(Y[va], mu) / const
mae = (mu - Y[va]).abs().mean().item()
print(f"final val_deviance {deviance(Y[va], mu):.4f} (constant {const:.4f}) D2 {d2:.4f} MAE {mae:.2f} passengers")
