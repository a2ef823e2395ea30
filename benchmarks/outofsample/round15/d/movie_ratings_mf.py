"""Biased matrix factorisation for 1-5 star ratings (Koren-style: global mean + user bias +
item bias + dot product), trained with plain per-rating SGD written by hand on a summed
squared error, as in the Netflix-prize recipes. An EMA copy of the weights is evaluated and
the best one saved with torch.save."""
import copy
import os
import tempfile
import numpy as np
import torch
from torch import nn


def synth_ratings(n_users=500, n_items=400, n_obs=40000, k=6, seed=0):
    rng = np.random.default_rng(seed)
    U = rng.normal(0, 0.45, (n_users, k))
    V = rng.normal(0, 0.45, (n_items, k))
    bu = rng.normal(0, 0.35, n_users)
    bi = rng.normal(0, 0.5, n_items)
    pop = rng.zipf(1.6, n_items).astype(float)
    pop = pop / pop.sum()
    users = rng.integers(0, n_users, n_obs)
    items = rng.choice(n_items, n_obs, p=0.5 * pop + 0.5 / n_items)
    raw = 3.6 + bu[users] + bi[items] + (U[users] * V[items]).sum(1) + rng.normal(0, 0.5, n_obs)
    stars = np.clip(np.rint(raw), 1, 5)
    return users, items, stars.astype(np.float32)


class BiasedMF(nn.Module):
    def __init__(self, n_users, n_items, dim, global_mean):
        super().__init__()
        self.P = nn.Embedding(n_users, dim)
        self.Q = nn.Embedding(n_items, dim)
        self.bu = nn.Embedding(n_users, 1)
        self.bi = nn.Embedding(n_items, 1)
        nn.init.normal_(self.P.weight, std=0.3)
        nn.init.normal_(self.Q.weight, std=0.3)
        nn.init.zeros_(self.bu.weight)
        nn.init.zeros_(self.bi.weight)
        self.register_buffer("mu", torch.tensor(float(global_mean)))

    def forward(self, u, i):
        return self.mu + self.bu(u).squeeze(-1) + self.bi(i).squeeze(-1) + (self.P(u) * self.Q(i)).sum(-1)


@torch.no_grad()
def rmse(model, u, i, r, batch=5000):
    sse = 0.0
    for s in range(0, len(r), batch):
        pred = model(u[s:s + batch], i[s:s + batch]).clamp(1, 5)
        sse += ((pred - r[s:s + batch]) ** 2).sum().item()
    return (sse / len(r)) ** 0.5


def main():
    torch.manual_seed(4)
    users, items, stars = synth_ratings(seed=4)
    perm = np.random.default_rng(4).permutation(len(stars))
    tr, va, te = perm[:32000], perm[32000:36000], perm[36000:]
    to_t = lambda a: torch.from_numpy(a)
    u_tr, i_tr, r_tr = to_t(users[tr]), to_t(items[tr]), to_t(stars[tr])
    u_va, i_va, r_va = to_t(users[va]), to_t(items[va]), to_t(stars[va])
    u_te, i_te, r_te = to_t(users[te]), to_t(items[te]), to_t(stars[te])

    model = BiasedMF(500, 400, dim=8, global_mean=r_tr.mean())
    ema = copy.deepcopy(model)
    lr, reg, batch, epochs, decay = 0.01, 0.06, 128, 24, 0.98
    best, ckpt = float("inf"), os.path.join(tempfile.mkdtemp(), "best_ema.pt")
    print(f"epoch 0 val_rmse {rmse(model, u_va, i_va, r_va):.4f} (global-mean predictor)")

    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(r_tr))
        model.train()
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            u, i, r = u_tr[idx], i_tr[idx], r_tr[idx]
            err = r - model(u, i)
            loss = (err ** 2).sum() + reg * (model.P(u).pow(2).sum() + model.Q(i).pow(2).sum()
                                             + model.bu(u).pow(2).sum() + model.bi(i).pow(2).sum())
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                    p.grad = None
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(pm, alpha=1 - decay)
        ema.eval()
        val = rmse(ema, u_va, i_va, r_va)
        if val < best:
            best = val
            torch.save(ema, ckpt)
        print(f"epoch {epoch} train_rmse {rmse(model, u_tr, i_tr, r_tr):.4f} val_rmse(ema) {val:.4f}")

    final = torch.load(ckpt, weights_only=False)
    print(f"final test_rmse {rmse(final, u_te, i_te, r_te):.4f} (best val {best:.4f})")


if __name__ == "__main__":
    main()
