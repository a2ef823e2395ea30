"""Biased matrix factorisation for explicit ratings, trained with plain SGD by hand.

Synthetic catalogue: 600 users x 400 items, ~24k observed ratings on a 1..5 scale,
80/10/10 split by interaction. Prints validation and test RMSE.
"""
import argparse
import numpy as np
import torch
from torch import nn


def make_ratings(n_users=600, n_items=400, n_obs=24000, k=6, seed=0):
    rng = np.random.default_rng(seed)
    pu = rng.normal(0, 0.55, (n_users, k))
    qi = rng.normal(0, 0.55, (n_items, k))
    bu = rng.normal(0, 0.35, n_users)
    bi = rng.normal(0, 0.45, n_items)
    # popular items are rated more often
    pop = rng.zipf(1.6, n_items).astype(float)
    pop = pop / pop.sum()
    u = rng.integers(0, n_users, n_obs * 2)
    i = rng.choice(n_items, n_obs * 2, p=0.5 * pop + 0.5 / n_items)
    pairs = np.unique(np.stack([u, i], 1), axis=0)
    pairs = pairs[rng.permutation(len(pairs))[:n_obs]]
    u, i = pairs[:, 0], pairs[:, 1]
    r = 3.6 + bu[u] + bi[i] + (pu[u] * qi[i]).sum(1) + rng.normal(0, 0.3, len(u))
    r = np.clip(np.round(r * 2) / 2, 1.0, 5.0)
    return u, i, r.astype(np.float32), n_users, n_items


class BiasedMF(nn.Module):
    def __init__(self, n_users, n_items, k=8):
        super().__init__()
        self.factors = nn.ModuleDict({"user": nn.Embedding(n_users, k), "item": nn.Embedding(n_items, k)})
        self.bias = nn.ModuleDict({"user": nn.Embedding(n_users, 1), "item": nn.Embedding(n_items, 1)})
        self.mu = nn.Parameter(torch.zeros(()))
        for e in self.factors.values():
            nn.init.normal_(e.weight, 0.0, 0.2)
        for e in self.bias.values():
            nn.init.zeros_(e.weight)

    def forward(self, u, i):
        dot = (self.factors["user"](u) * self.factors["item"](i)).sum(-1)
        return self.mu + self.bias["user"](u).squeeze(-1) + self.bias["item"](i).squeeze(-1) + dot


@torch.no_grad()
def rmse(model, u, i, r, bs=4096):
    model.eval()
    se = 0.0
    for s in range(0, len(r), bs):
        pred = model(u[s:s + bs], i[s:s + bs]).clamp(1, 5)
        se += ((pred - r[s:s + bs]) ** 2).sum().item()
    model.train()
    return (se / len(r)) ** 0.5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--lr", type=float, default=0.4)
    ap.add_argument("--batch-size", type=int, default=16)
    args = ap.parse_args()

    torch.manual_seed(0)
    np.random.seed(0)
    u, i, r, n_users, n_items = make_ratings()
    u, i, r = torch.from_numpy(u), torch.from_numpy(i), torch.from_numpy(r)
    n = len(r)
    n_tr, n_va = int(0.8 * n), int(0.1 * n)
    tr = slice(0, n_tr)
    va = slice(n_tr, n_tr + n_va)
    te = slice(n_tr + n_va, n)

    model = BiasedMF(n_users, n_items)
    g = torch.Generator().manual_seed(1)
    for epoch in range(args.epochs):
        perm = torch.randperm(n_tr, generator=g)
        total = 0.0
        for s in range(0, n_tr, args.batch_size):
            idx = perm[s:s + args.batch_size]
            pred = model(u[idx], i[idx])
            loss = nn.functional.mse_loss(pred, r[idx])
            model.zero_grad(set_to_none=True)
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= args.lr * p.grad
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1:2d}  train mse {total / n_tr:.4f}  val rmse {rmse(model, u[va], i[va], r[va]):.4f}")

    print(f"final val_rmse {rmse(model, u[va], i[va], r[va]):.4f} test_rmse {rmse(model, u[te], i[te], r[te]):.4f}")


if __name__ == "__main__":
    main()
