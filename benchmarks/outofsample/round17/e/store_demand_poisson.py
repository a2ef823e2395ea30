"""Daily unit sales per (store, item) for replenishment: a Poisson regression network with
store and item embeddings, trained on raw counts with PoissonNLLLoss(log_input=True).

Counts are left on their natural scale (the model predicts log-rate; the output bias
starts at the log of the mean count).  Parameters are updated by hand with SGD +
momentum.  Validation is the last two weeks (time split); evaluation sums the Poisson
deviance over all rows before dividing by their number.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(8)
rng = np.random.default_rng(8)
N_STORES, N_ITEMS, N_DAYS = 25, 60, 84

store_level = rng.normal(0, 0.4, N_STORES)
item_level = rng.normal(0.8, 0.9, N_ITEMS)
promo_lift = rng.uniform(0.1, 0.9, N_ITEMS)
elasticity = rng.uniform(-2.5, -0.5, N_ITEMS)
dow_effect = np.array([-0.15, -0.2, -0.1, 0.0, 0.15, 0.35, 0.25])
store_weekend = rng.normal(0, 0.2, N_STORES)          # some stores are weekend-heavy

s, i, d = np.meshgrid(np.arange(N_STORES), np.arange(N_ITEMS), np.arange(N_DAYS), indexing="ij")
s, i, d = s.ravel(), i.ravel(), d.ravel()
dow = d % 7
promo = (rng.random(len(s)) < 0.12).astype(np.float32)
log_price_ratio = np.where(promo > 0, rng.uniform(-0.35, -0.1, len(s)), rng.normal(0, 0.05, len(s)))
weekend = (dow >= 5).astype(float)
trend = 0.002 * d
log_rate = (store_level[s] + item_level[i] + dow_effect[dow] + store_weekend[s] * weekend
            + promo_lift[i] * promo + elasticity[i] * log_price_ratio + trend)
units = rng.poisson(np.exp(log_rate)).astype(np.float32)

dense = np.stack([promo, log_price_ratio / 0.1, (d - N_DAYS / 2) / (N_DAYS / 2)], 1).astype(np.float32)
tensors = [torch.from_numpy(a) for a in (s, i, dow, dense, units)]
train_mask = torch.from_numpy(d < N_DAYS - 14)
train = [t[train_mask] for t in tensors]
val = [t[~train_mask] for t in tensors]


class DemandNet(nn.Module):
    def __init__(self, mean_count):
        super().__init__()
        self.store = nn.Embedding(N_STORES, 8)
        self.item = nn.Embedding(N_ITEMS, 8)
        self.dow = nn.Embedding(7, 4)
        self.mlp = nn.Sequential(nn.Linear(8 + 8 + 4 + 3, 64), nn.ReLU(), nn.Linear(64, 1))
        nn.init.normal_(self.store.weight, std=0.1)
        nn.init.normal_(self.item.weight, std=0.1)
        nn.init.normal_(self.dow.weight, std=0.1)
        with torch.no_grad():
            self.mlp[-1].bias.fill_(float(np.log(mean_count)))

    def forward(self, store, item, dow, dense):
        h = torch.cat([self.store(store), self.item(item), self.dow(dow), dense], 1)
        return self.mlp(h).squeeze(1)           # log of the expected count


model = DemandNet(train[4].mean().item())
criterion = nn.PoissonNLLLoss(log_input=True, full=False)
lr, momentum, bs = 0.02, 0.9, 256
velocity = [torch.zeros_like(p) for p in model.parameters()]


def deviance(log_mu, y):
    mu = log_mu.exp()
    return 2 * (torch.xlogy(y, y / mu) - (y - mu))


def evaluate(split):
    model.eval()
    with torch.no_grad():
        log_mu = model(*split[:4])
        return deviance(log_mu, split[4]).sum().item() / len(split[4])


n = len(train[4])
for epoch in range(1, 9):
    model.train()
    perm = torch.randperm(n)
    total = 0.0
    for k in range(0, n, bs):
        idx = perm[k:k + bs]
        loss = criterion(model(*(t[idx] for t in train[:4])), train[4][idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(momentum).add_(p.grad)
                p -= lr * v
        total += loss.item() * len(idx)
    if epoch in (4, 6):
        lr *= 0.5
    print(f"epoch {epoch} train_poisson_nll {total / n:.4f} val_mean_deviance {evaluate(val):.4f}")

# baseline: each (store, item)'s training mean
sums = np.zeros((N_STORES, N_ITEMS)); counts = np.zeros((N_STORES, N_ITEMS))
np.add.at(sums, (train[0].numpy(), train[1].numpy()), train[4].numpy())
np.add.at(counts, (train[0].numpy(), train[1].numpy()), 1)
base = torch.from_numpy(np.log(sums / counts)[val[0].numpy(), val[1].numpy()].astype(np.float32))
base_dev = deviance(base, val[4]).sum().item() / len(val[4])
print(f"final val_mean_deviance {evaluate(val):.4f} (store-item mean baseline {base_dev:.4f})")
