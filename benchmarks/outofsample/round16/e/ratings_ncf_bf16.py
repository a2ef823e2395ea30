"""Explicit-feedback recommender (1-5 stars) for a regional streaming catalogue.

Neural collaborative filtering: GMF branch (user*item embeddings) + MLP branch,
user/item biases and the global mean rating added explicitly, so the network
predicts deviations around the mean. The forward pass runs under CPU autocast in
bfloat16; the loss is computed in float32.
"""
import math
import time

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(123)
rng = np.random.default_rng(123)

n_users, n_items, k_true = 1200, 700, 6
U = rng.normal(0, 0.6, (n_users, k_true))
V = rng.normal(0, 0.6, (n_items, k_true))
bu = rng.normal(0, 0.4, n_users)
bi = rng.normal(0, 0.5, n_items)
pop = rng.zipf(1.6, n_items).astype(float)
pop = pop / pop.sum()
n_obs = 60000
users = rng.integers(0, n_users, n_obs)
items = rng.choice(n_items, n_obs, p=pop * 0.5 + 0.5 / n_items)
raw = 3.5 + bu[users] + bi[items] + (U[users] * V[items]).sum(1) + rng.normal(0, 0.5, n_obs)
ratings = np.clip(np.round(raw), 1, 5).astype(np.float32)

perm = rng.permutation(n_obs)
tr, te = perm[:50000], perm[50000:]
u_tr, i_tr, r_tr = (torch.from_numpy(a[tr]) for a in (users, items, ratings))
u_te, i_te, r_te = (torch.from_numpy(a[te]) for a in (users, items, ratings))


class NCF(nn.Module):
    def __init__(self, n_users, n_items, d_gmf=16, d_mlp=16, global_mean=3.5):
        super().__init__()
        self.u_gmf, self.i_gmf = nn.Embedding(n_users, d_gmf), nn.Embedding(n_items, d_gmf)
        self.u_mlp, self.i_mlp = nn.Embedding(n_users, d_mlp), nn.Embedding(n_items, d_mlp)
        self.u_bias, self.i_bias = nn.Embedding(n_users, 1), nn.Embedding(n_items, 1)
        for e in (self.u_gmf, self.i_gmf, self.u_mlp, self.i_mlp):
            nn.init.normal_(e.weight, std=0.05)
        nn.init.zeros_(self.u_bias.weight)
        nn.init.zeros_(self.i_bias.weight)
        self.mlp = nn.Sequential(nn.Linear(2 * d_mlp, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.out = nn.Linear(d_gmf + 32, 1)
        self.register_buffer("global_mean", torch.tensor(global_mean))

    def forward(self, u, i):
        g = self.u_gmf(u) * self.i_gmf(i)
        m = self.mlp(torch.cat([self.u_mlp(u), self.i_mlp(i)], dim=1))
        dev = self.out(torch.cat([g, m], dim=1)).squeeze(1)
        return dev + self.u_bias(u).squeeze(1) + self.i_bias(i).squeeze(1) + self.global_mean


model = NCF(n_users, n_items, global_mean=float(r_tr.mean()))
emb = [p for m in model.modules() if isinstance(m, nn.Embedding) for p in m.parameters()]
dense = [p for n, p in model.named_parameters() if n.startswith(("mlp.", "out."))]
optimizer = torch.optim.Adam([{"params": emb, "weight_decay": 0.0}, {"params": dense, "weight_decay": 1e-5}], lr=5e-3)
l2_emb = 2e-2
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.8)
loss_fn = nn.MSELoss()
batch = 512


def rmse(u, i, r):
    model.eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        pred = model(u, i).float().clamp(1, 5)
    return math.sqrt(((pred - r) ** 2).mean().item())


t0 = time.time()
for epoch in range(8):
    model.train()
    order = torch.randperm(len(r_tr))
    for s in range(0, len(order), batch):
        idx = order[s:s + batch]
        ub, ib, rb = u_tr[idx], i_tr[idx], r_tr[idx]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            pred = model(ub, ib)
        loss = loss_fn(pred.float(), rb)
        reg = l2_emb * sum((model.get_submodule(n)(x) ** 2).sum() for n, x in
                           (("u_gmf", ub), ("i_gmf", ib), ("u_mlp", ub), ("i_mlp", ib))) / len(idx)
        optimizer.zero_grad()
        (loss + reg).backward()
        optimizer.step()
    scheduler.step()
    print(f"epoch {epoch + 1} train_rmse {rmse(u_tr[:10000], i_tr[:10000], r_tr[:10000]):.4f} "
          f"test_rmse {rmse(u_te, i_te, r_te):.4f}")

base = math.sqrt(((r_te - r_tr.mean()) ** 2).mean().item())
print(f"final test_rmse {rmse(u_te, i_te, r_te):.4f} (global-mean baseline {base:.4f}) [{time.time() - t0:.1f}s]")
