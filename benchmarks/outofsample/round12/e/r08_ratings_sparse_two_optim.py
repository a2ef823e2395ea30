"""Explicit-feedback recommender (1-5 star ratings) for an 8k-item catalogue: biased matrix
factorisation plus a small interaction MLP. Sparse embedding tables are trained with
SparseAdam, the dense part with AdamW; the prediction starts at the global mean rating."""
import numpy as np
import torch
from torch import nn

torch.manual_seed(13)
rng = np.random.default_rng(13)

N_USERS, N_ITEMS, K = 3000, 8000, 8
N_RATINGS = 120_000

U = rng.normal(0, 0.5, (N_USERS, K)); V = rng.normal(0, 0.5, (N_ITEMS, K))
bu = rng.normal(0, 0.4, N_USERS); bi = rng.normal(0, 0.5, N_ITEMS)
pop = rng.zipf(1.3, N_RATINGS * 2) % N_ITEMS            # popular items get most ratings
users = rng.integers(0, N_USERS, N_RATINGS)
items = rng.permutation(N_ITEMS)[pop[:N_RATINGS]]
raw = 3.4 + bu[users] + bi[items] + (U[users] * V[items]).sum(1) + rng.normal(0, 0.5, N_RATINGS)
ratings = np.clip(np.rint(raw), 1, 5).astype(np.float32)

perm = rng.permutation(N_RATINGS)
tr, va = perm[:100_000], perm[100_000:]
u_tr, i_tr, r_tr = map(torch.from_numpy, (users[tr], items[tr], ratings[tr]))
u_va, i_va, r_va = map(torch.from_numpy, (users[va], items[va], ratings[va]))


class BiasedMF(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.user = nn.Embedding(N_USERS, dim, sparse=True)
        self.item = nn.Embedding(N_ITEMS, dim, sparse=True)
        self.user_bias = nn.Embedding(N_USERS, 1, sparse=True)
        self.item_bias = nn.Embedding(N_ITEMS, 1, sparse=True)
        for e in (self.user, self.item):
            nn.init.normal_(e.weight, 0, 0.05)
        for e in (self.user_bias, self.item_bias):
            nn.init.zeros_(e.weight)
        self.mlp = nn.Sequential(nn.Linear(2 * dim, 32), nn.ReLU(), nn.Linear(32, 1))
        self.global_bias = nn.Parameter(torch.tensor(float(r_tr.mean())))

    def forward(self, u, i):
        pu, qi = self.user(u), self.item(i)
        out = (pu * qi).sum(1) + self.mlp(torch.cat([pu, qi], 1)).squeeze(1)
        return out + self.user_bias(u).squeeze(1) + self.item_bias(i).squeeze(1) + self.global_bias


model = BiasedMF()
sparse_params = [p for n, p in model.named_parameters() if n.split(".")[0] in ("user", "item", "user_bias", "item_bias")]
dense_params = [p for n, p in model.named_parameters() if n.split(".")[0] in ("mlp", "global_bias")]
opt_sparse = torch.optim.SparseAdam(sparse_params, lr=5e-3)
opt_dense = torch.optim.AdamW(dense_params, lr=1e-3, weight_decay=1e-4)
mse = nn.MSELoss()
BATCH = 512
EMB_L2 = 2e-4


def val_rmse():
    model.eval()
    with torch.no_grad():
        pred = model(u_va, i_va).clamp(1, 5)
    model.train()
    return ((pred - r_va) ** 2).mean().sqrt().item()


for epoch in range(1, 7):
    order = torch.randperm(len(r_tr))
    total = 0.0
    for s in range(0, len(order), BATCH):
        idx = order[s:s + BATCH]
        u, i, r = u_tr[idx], i_tr[idx], r_tr[idx]
        pred = model(u, i)
        # L2 on the rows used in this batch only (the usual MF regulariser)
        reg = EMB_L2 * (model.user(u).pow(2).sum(1) + model.item(i).pow(2).sum(1)).mean()
        loss = mse(pred, r) + reg
        opt_sparse.zero_grad(); opt_dense.zero_grad()
        loss.backward()
        opt_sparse.step(); opt_dense.step()
        total += loss.item() * len(idx)
    print(f"epoch {epoch}  train loss {total / len(r_tr):.4f}  val RMSE {val_rmse():.4f}")

gm = r_tr.mean()
item_sum = torch.zeros(N_ITEMS).index_add_(0, i_tr, r_tr - gm)
item_cnt = torch.zeros(N_ITEMS).index_add_(0, i_tr, torch.ones_like(r_tr))
item_mean = gm + item_sum / (item_cnt + 5)              # shrunk per-item mean
print(f"baseline val RMSE: global mean {((gm - r_va) ** 2).mean().sqrt():.4f}  "
      f"item mean {((item_mean[i_va] - r_va) ** 2).mean().sqrt():.4f}")
print(f"final val RMSE {val_rmse():.4f}")
