"""Explicit-feedback recommender: biased matrix factorisation of 1-5 star ratings (synthetic
catalogue, 800 users x 500 items). Ratings are kept on their star scale; the global bias starts at
the training mean, so the model starts at the best constant prediction. Plain mini-batch SGD written
by hand (p -= lr * p.grad), L2 on the factors of the rows in the batch, LR halved every 4 epochs.
Embedding rows get the step scaled by the batch size (each row occurs about once per batch, so the
batch mean would otherwise shrink its step by 1/bs; this is per-rating SGD as in Funk-SVD)."""
import math

import numpy as np
import torch
import torch.nn as nn


class BiasedMF(nn.Module):
    def __init__(self, n_users, n_items, k, mu):
        super().__init__()
        self.P = nn.Embedding(n_users, k)
        self.Q = nn.Embedding(n_items, k)
        self.bu = nn.Embedding(n_users, 1)
        self.bi = nn.Embedding(n_items, 1)
        self.mu = nn.Parameter(torch.tensor(float(mu)))
        for e in (self.P, self.Q):
            nn.init.normal_(e.weight, std=0.1)
        for e in (self.bu, self.bi):
            nn.init.zeros_(e.weight)

    def forward(self, u, i):
        dot = (self.P(u) * self.Q(i)).sum(1)
        return self.mu + self.bu(u).squeeze(1) + self.bi(i).squeeze(1) + dot


def simulate(n_users=800, n_items=500, n_ratings=60000, k=5, seed=0):
    rng = np.random.default_rng(seed)
    P = rng.normal(scale=0.6, size=(n_users, k))
    Q = rng.normal(scale=0.6, size=(n_items, k))
    bu = rng.normal(scale=0.4, size=n_users)
    bi = rng.normal(scale=0.5, size=n_items)
    u = rng.integers(0, n_users, n_ratings)
    i = rng.integers(0, n_items, n_ratings)
    r = 3.6 + bu[u] + bi[i] + (P[u] * Q[i]).sum(1) + rng.normal(scale=0.5, size=n_ratings)
    return u, i, np.clip(np.round(r), 1, 5).astype(np.float32)


def main():
    torch.manual_seed(0)
    u, i, r = simulate()
    n = len(r)
    perm = np.random.default_rng(1).permutation(n)
    tr, te = perm[: int(0.9 * n)], perm[int(0.9 * n):]
    U, I, R = (torch.from_numpy(a) for a in (u.astype(np.int64), i.astype(np.int64), r))

    model = BiasedMF(800, 500, k=16, mu=R[tr].mean())
    lr, reg, bs, epochs = 0.02, 0.02, 128, 12

    for epoch in range(epochs):
        model.train()
        order = torch.from_numpy(tr)[torch.randperm(len(tr))]
        sse = 0.0
        for s in range(0, len(order), bs):
            b = order[s:s + bs]
            pred = model(U[b], I[b])
            mse = ((pred - R[b]) ** 2).mean()
            l2 = (model.P(U[b]).pow(2).sum(1) + model.Q(I[b]).pow(2).sum(1)).mean()
            loss = mse + reg * l2
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for name, p in model.named_parameters():
                    step = lr if name == "mu" else lr * bs
                    p -= step * p.grad
            sse += mse.item() * len(b)
        if epoch % 4 == 3:
            lr *= 0.5
        model.eval()
        with torch.no_grad():
            pred = model(U[te], I[te]).clamp(1, 5)
            rmse = math.sqrt(((pred - R[te]) ** 2).mean().item())
        print(f"epoch {epoch + 1:2d} train_rmse {math.sqrt(sse / len(tr)):.4f} test_rmse {rmse:.4f} lr {lr:.4f}")
    baseline = math.sqrt(((R[te] - R[tr].mean()) ** 2).mean().item())
    print(f"final test_rmse={rmse:.4f} (global-mean baseline {baseline:.4f})")


if __name__ == "__main__":
    main()
