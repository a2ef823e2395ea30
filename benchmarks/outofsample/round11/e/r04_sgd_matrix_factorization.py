"""Explicit-feedback recommender: biased matrix factorisation trained with plain SGD.

r_hat(u, i) = mu + b_u + b_i + <p_u, q_i>, mu is the training-set mean rating (a fixed
offset, not learned).  The update is written out by hand, Funk-SVD style: gradients of
the mean squared error plus L2 on the rows touched in the batch, then p -= lr * grad.
Because the loss is a batch mean and each user/item row appears in only a few of the
batch's ratings, the per-row step needs a learning rate of order one.  Evaluation
accumulates summed squared errors over the held-out ratings and reports RMSE.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

N_USERS, N_ITEMS, TRUE_DIM = 800, 500, 5


def make_ratings(rng, n_obs=40000):
    P = rng.normal(0, 0.6, (N_USERS, TRUE_DIM))
    Q = rng.normal(0, 0.6, (N_ITEMS, TRUE_DIM))
    bu = rng.normal(0, 0.4, N_USERS)
    bi = rng.normal(0, 0.5, N_ITEMS)
    # popular items and active users are rated more often
    pu = rng.pareto(2.0, N_USERS) + 1
    pi = rng.pareto(1.5, N_ITEMS) + 1
    users = rng.choice(N_USERS, n_obs, p=pu / pu.sum())
    items = rng.choice(N_ITEMS, n_obs, p=pi / pi.sum())
    pairs = np.unique(np.stack([users, items], 1), axis=0)
    rng.shuffle(pairs)
    u, i = pairs[:, 0], pairs[:, 1]
    raw = 3.6 + bu[u] + bi[i] + (P[u] * Q[i]).sum(1) + rng.normal(0, 0.5, len(u))
    r = np.clip(np.round(raw), 1, 5)
    return u, i, r.astype(np.float32)


class BiasedMF(nn.Module):
    def __init__(self, n_users, n_items, dim, global_mean):
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        nn.init.normal_(self.user.weight, std=0.1)
        nn.init.normal_(self.item.weight, std=0.1)
        nn.init.zeros_(self.user_bias.weight)
        nn.init.zeros_(self.item_bias.weight)
        self.register_buffer("mu", torch.tensor(global_mean))

    def forward(self, u, i):
        dot = (self.user(u) * self.item(i)).sum(1)
        return self.mu + self.user_bias(u).squeeze(1) + self.item_bias(i).squeeze(1) + dot


@torch.no_grad()
def rmse(model, u, i, r, batch=4096):
    model.eval()
    sse = 0.0
    for s in range(0, len(r), batch):
        sse += F.mse_loss(model(u[s:s + batch], i[s:s + batch]), r[s:s + batch],
                          reduction="sum").item()
    model.train()
    return math.sqrt(sse / len(r))


def main():
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    u, i, r = make_ratings(rng)
    n_val = len(r) // 10
    u, i, r = torch.from_numpy(u), torch.from_numpy(i), torch.from_numpy(r)
    u_tr, i_tr, r_tr = u[n_val:], i[n_val:], r[n_val:]
    u_va, i_va, r_va = u[:n_val], i[:n_val], r[:n_val]
    mu = r_tr.mean().item()
    print(f"{len(r_tr)} train / {len(r_va)} val ratings, global mean {mu:.3f}")

    model = BiasedMF(N_USERS, N_ITEMS, dim=8, global_mean=mu)
    lr, reg, batch_size, epochs = 4.0, 0.05, 256, 30
    for epoch in range(1, epochs + 1):
        perm = torch.randperm(len(r_tr))
        for s in range(0, len(perm), batch_size):
            idx = perm[s:s + batch_size]
            ub, ib, rb = u_tr[idx], i_tr[idx], r_tr[idx]
            pred = model(ub, ib)
            loss = F.mse_loss(pred, rb)
            l2 = (model.user(ub).pow(2).sum(1) + model.item(ib).pow(2).sum(1)).mean()
            (loss + reg * l2).backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                    p.grad = None
        if epoch % 5 == 0 or epoch == 1:
            print(f"epoch {epoch:2d} train_rmse {rmse(model, u_tr, i_tr, r_tr):.4f} "
                  f"val_rmse {rmse(model, u_va, i_va, r_va):.4f}")
        if epoch == 20:
            lr *= 0.3

    base = math.sqrt(((r_va - mu) ** 2).mean().item())
    print(f"final val RMSE={rmse(model, u_va, i_va, r_va):.4f} (global-mean predictor {base:.4f})")


if __name__ == "__main__":
    main()
