"""Course-rating recommender: biased matrix factorisation on 1-5 star ratings.

Learners x courses, ~4% density. Sparse embedding tables trained with SparseAdam,
the dense part (global offset) with Adam; ratings are predicted as
global mean + user bias + item bias + <p_u, q_i>, so targets are left in stars.
"""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(21)
rng = np.random.default_rng(21)

N_USERS, N_ITEMS, K_TRUE = 3000, 800, 6
P = rng.normal(0, 0.5, (N_USERS, K_TRUE))
Q = rng.normal(0, 0.5, (N_ITEMS, K_TRUE))
bu = rng.normal(0, 0.4, N_USERS)
bi = rng.normal(0, 0.5, N_ITEMS)
n_obs = 100_000
u = rng.integers(0, N_USERS, n_obs)
i = (rng.zipf(1.3, n_obs) - 1) % N_ITEMS                       # popular courses get most ratings
score = 3.6 + bu[u] + bi[i] + (P[u] * Q[i]).sum(1) + rng.normal(0, 0.35, n_obs)
r = np.clip(np.rint(score), 1, 5).astype(np.float32)

perm = rng.permutation(n_obs)
n_val = 10_000
va, tr = perm[:n_val], perm[n_val:]
U = torch.from_numpy(u).long()
I = torch.from_numpy(i).long()
R = torch.from_numpy(r)
mu = R[tr].mean().item()


class BiasedMF(nn.Module):
    def __init__(self, n_users, n_items, k=16, mu=0.0):
        super().__init__()
        self.p = nn.Embedding(n_users, k, sparse=True)
        self.q = nn.Embedding(n_items, k, sparse=True)
        self.bu = nn.Embedding(n_users, 1, sparse=True)
        self.bi = nn.Embedding(n_items, 1, sparse=True)
        self.offset = nn.Parameter(torch.tensor(float(mu)))
        for emb in (self.p, self.q):
            nn.init.normal_(emb.weight, std=0.05)
        nn.init.zeros_(self.bu.weight)
        nn.init.zeros_(self.bi.weight)

    def forward(self, users, items):
        dot = (self.p(users) * self.q(items)).sum(-1)
        return self.offset + self.bu(users).squeeze(-1) + self.bi(items).squeeze(-1) + dot


model = BiasedMF(N_USERS, N_ITEMS, mu=mu)
sparse_params = [model.p.weight, model.q.weight, model.bu.weight, model.bi.weight]
opt_sparse = torch.optim.SparseAdam(sparse_params, lr=1e-2)
opt_dense = torch.optim.Adam([model.offset], lr=1e-3)
L2 = 6e-2


@torch.no_grad()
def rmse(idx):
    model.eval()
    pred = model(U[idx], I[idx]).clamp(1, 5)
    model.train()
    return torch.sqrt(((pred - R[idx]) ** 2).mean()).item()


tr_t = torch.from_numpy(tr)
va_t = torch.from_numpy(va)
baseline = torch.sqrt(((R[va_t] - mu) ** 2).mean()).item()
B = 512
for epoch in range(8):
    order = tr_t[torch.randperm(len(tr_t))]
    tot = 0.0
    for s in range(0, len(order), B):
        idx = order[s:s + B]
        uu, ii = U[idx], I[idx]
        pred = model(uu, ii)
        mse = ((pred - R[idx]) ** 2).mean()
        reg = L2 * ((model.p(uu) ** 2).sum(-1) + (model.q(ii) ** 2).sum(-1)).mean()
        loss = mse + reg
        opt_sparse.zero_grad()
        opt_dense.zero_grad()
        loss.backward()
        opt_sparse.step()
        opt_dense.step()
        tot += mse.item() * len(idx)
    print(f"epoch {epoch + 1}  train_rmse {np.sqrt(tot / len(tr)):.4f}  val_rmse {rmse(va_t):.4f}")

print(f"final val_rmse {rmse(va_t):.4f} (global-mean baseline {baseline:.4f})")
