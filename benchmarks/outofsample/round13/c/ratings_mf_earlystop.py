"""Explicit-feedback recommender: biased matrix factorisation on 1-5 star ratings.

Ratings are predicted as global mean + user bias + item bias + <p_u, q_i>; embeddings get L2
through weight decay, gradients are clipped as insurance against rare huge steps, and training
stops early on validation RMSE with the best weights restored.
"""
import copy

import numpy as np
import torch
from torch import nn

N_USERS, N_ITEMS, RANK = 1500, 800, 8


def synth_ratings(n=60000, seed=4):
    rng = np.random.default_rng(seed)
    P = rng.normal(0, 0.6, (N_USERS, RANK))
    Q = rng.normal(0, 0.6, (N_ITEMS, RANK))
    bu = rng.normal(0, 0.35, N_USERS)
    bi = rng.normal(0, 0.5, N_ITEMS)
    pop = rng.zipf(1.6, N_ITEMS * 4)[:N_ITEMS].astype(float)
    items = rng.choice(N_ITEMS, size=n, p=pop / pop.sum())
    users = rng.integers(0, N_USERS, size=n)
    raw = 3.6 + bu[users] + bi[items] + (P[users] * Q[items]).sum(1) + rng.normal(0, 0.5, n)
    stars = np.clip(np.round(raw), 1, 5)
    return users, items, stars.astype(np.float32)


class BiasedMF(nn.Module):
    def __init__(self, mu, dim=32):
        super().__init__()
        self.user = nn.Embedding(N_USERS, dim)
        self.item = nn.Embedding(N_ITEMS, dim)
        self.user_bias = nn.Embedding(N_USERS, 1)
        self.item_bias = nn.Embedding(N_ITEMS, 1)
        for e in (self.user, self.item):
            nn.init.normal_(e.weight, std=0.05)
        for e in (self.user_bias, self.item_bias):
            nn.init.zeros_(e.weight)
        self.register_buffer("mu", torch.tensor(float(mu)))

    def forward(self, u, i):
        dot = (self.user(u) * self.item(i)).sum(-1)
        return self.mu + self.user_bias(u).squeeze(-1) + self.item_bias(i).squeeze(-1) + dot


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    users, items, stars = synth_ratings()
    order = rng.permutation(len(stars))
    tr, va = order[:50000], order[50000:]
    U, I, R = torch.from_numpy(users), torch.from_numpy(items), torch.from_numpy(stars)

    model = BiasedMF(mu=stars[tr].mean())
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.05)
    loss_fn = nn.MSELoss()
    best_rmse, best_state, bad, patience = float("inf"), None, 0, 3
    batch = 512
    for epoch in range(1, 31):
        model.train()
        perm = torch.from_numpy(rng.permutation(tr))
        tot = 0.0
        for k in range(0, len(perm), batch):
            idx = perm[k:k + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(U[idx], I[idx]), R[idx])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=10.0)
            optimizer.step()
            tot += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            pred = model(U[va], I[va]).clamp(1, 5)
            rmse = torch.sqrt(((pred - R[va]) ** 2).mean()).item()
        print(f"epoch {epoch:2d} train rmse {np.sqrt(tot / len(tr)):.4f} val rmse {rmse:.4f}")
        if rmse < best_rmse - 1e-4:
            best_rmse, best_state, bad = rmse, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad >= patience:
                print(f"early stop at epoch {epoch}")
                break
    model.load_state_dict(best_state)
    baseline = np.sqrt(((stars[tr].mean() - stars[va]) ** 2).mean())
    print(f"final: val RMSE {best_rmse:.4f} (global-mean baseline {baseline:.4f})")


if __name__ == "__main__":
    main()
