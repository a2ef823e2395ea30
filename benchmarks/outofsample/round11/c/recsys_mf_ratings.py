"""Explicit-feedback recommender: biased matrix factorisation on star ratings.

Synthetic catalogue of 800 users x 500 titles with genre-driven taste factors and
popularity/harshness biases; ratings clipped to 1..5. Training draws mini-batches by hand
from a permutation of the rating triplets (no DataLoader). Validation RMSE on held-out
ratings, accumulated with a summed squared error.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(13)
np.random.seed(13)
torch.set_num_threads(1)

rng = np.random.default_rng(13)
N_USERS, N_ITEMS, K_TRUE, N_RATINGS = 800, 500, 6, 60000
U = rng.normal(0, 0.6, (N_USERS, K_TRUE))
V = rng.normal(0, 0.6, (N_ITEMS, K_TRUE))
b_u = rng.normal(0, 0.4, N_USERS)
b_i = rng.normal(0, 0.5, N_ITEMS)
pop = rng.zipf(1.6, N_ITEMS).astype(float)
pop /= pop.sum()
users = rng.integers(0, N_USERS, N_RATINGS)
items = rng.choice(N_ITEMS, N_RATINGS, p=0.5 * pop + 0.5 / N_ITEMS)
raw = 3.5 + b_u[users] + b_i[items] + (U[users] * V[items]).sum(1) + rng.normal(0, 0.5, N_RATINGS)
ratings = np.clip(np.round(raw), 1, 5)

order = rng.permutation(N_RATINGS)
tr, va = order[:50000], order[50000:]
u_tr, i_tr, r_tr = (torch.as_tensor(a[tr]) for a in (users, items, ratings.astype(np.float32)))
u_va, i_va, r_va = (torch.as_tensor(a[va]) for a in (users, items, ratings.astype(np.float32)))


class BiasedMF(nn.Module):
    def __init__(self, n_users, n_items, dim=24, global_mean=3.5):
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        self.mu = nn.Parameter(torch.tensor(float(global_mean)))
        for emb in (self.user, self.item):
            nn.init.normal_(emb.weight, std=0.05)
        for emb in (self.user_bias, self.item_bias):
            nn.init.zeros_(emb.weight)

    def forward(self, u, i):
        dot = (self.user(u) * self.item(i)).sum(-1)
        return self.mu + self.user_bias(u).squeeze(-1) + self.item_bias(i).squeeze(-1) + dot


model = BiasedMF(N_USERS, N_ITEMS, global_mean=r_tr.mean().item())
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
BS, EPOCHS = 512, 8
n_train = len(r_tr)
total_steps = EPOCHS * (n_train // BS)


@torch.no_grad()
def val_rmse():
    model.eval()
    sse = 0.0
    for s in range(0, len(r_va), 2048):
        pred = model(u_va[s:s + 2048], i_va[s:s + 2048]).clamp(1, 5)
        sse += F.mse_loss(pred, r_va[s:s + 2048], reduction="sum").item()
    model.train()
    return (sse / len(r_va)) ** 0.5


perm, start = torch.randperm(n_train), 0
for step in range(1, total_steps + 1):
    if start + BS > n_train:
        perm, start = torch.randperm(n_train), 0
    idx = perm[start:start + BS]
    pred = model(u_tr[idx], i_tr[idx])
    loss = F.mse_loss(pred, r_tr[idx]) + 5e-2 * (model.user(u_tr[idx]).pow(2).sum()
                                                  + model.item(i_tr[idx]).pow(2).sum()) / BS
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % (n_train // BS) == 0:
        print(f"epoch {step // (n_train // BS)}  batch_loss {loss.item():.4f}  val_RMSE {val_rmse():.4f}")

baseline = ((r_va - r_tr.mean()) ** 2).mean().sqrt().item()
print(f"global-mean baseline RMSE {baseline:.4f}")
print(f"final val RMSE {val_rmse():.4f}")
