"""Explicit-feedback recommender: biased matrix factorisation trained with a hand-written SGD update
(no optimizer object), ratings centred on the training mean inside the model."""
import numpy as np
import torch
from torch import nn

torch.manual_seed(1)
rng = np.random.default_rng(1)
N_USERS, N_ITEMS, K_TRUE = 800, 500, 6


def simulate_ratings(n):
    U = rng.normal(0, 0.6, (N_USERS, K_TRUE))
    V = rng.normal(0, 0.6, (N_ITEMS, K_TRUE))
    bu = rng.normal(0, 0.4, N_USERS)
    bi = rng.normal(0, 0.5, N_ITEMS)
    pop = rng.zipf(1.6, N_ITEMS).astype(float)
    pop = pop / pop.sum() * 0.6 + 0.4 / N_ITEMS
    act = rng.lognormal(0, 0.8, N_USERS)
    act /= act.sum()
    u = rng.choice(N_USERS, n, p=act)
    i = rng.choice(N_ITEMS, n, p=pop)
    score = 3.5 + bu[u] + bi[i] + (U[u] * V[i]).sum(1) + rng.normal(0, 0.5, n)
    r = np.clip(np.rint(score), 1, 5)
    pairs = np.unique(np.stack([u, i], 1), axis=0, return_index=True)[1]
    return u[pairs], i[pairs], r[pairs].astype(np.float32)


class BiasedMF(nn.Module):
    def __init__(self, n_users, n_items, k, mu):
        super().__init__()
        self.P = nn.Embedding(n_users, k)
        self.Q = nn.Embedding(n_items, k)
        self.bu = nn.Embedding(n_users, 1)
        self.bi = nn.Embedding(n_items, 1)
        for e in (self.P, self.Q):
            nn.init.normal_(e.weight, 0, 0.1)
        for e in (self.bu, self.bi):
            nn.init.zeros_(e.weight)
        self.register_buffer("mu", torch.tensor(mu))

    def forward(self, u, i):
        return self.mu + self.bu(u).squeeze(-1) + self.bi(i).squeeze(-1) + (self.P(u) * self.Q(i)).sum(-1)


u, i, r = simulate_ratings(60000)
perm = rng.permutation(len(r))
n_val = len(r) // 10
va, tr = perm[:n_val], perm[n_val:]
ut, it, rt = (torch.tensor(a[tr]) for a in (u, i, r))
uv, iv, rv = (torch.tensor(a[va]) for a in (u, i, r))

model = BiasedMF(N_USERS, N_ITEMS, k=24, mu=float(rt.mean()))
lr, lam, bs = 3.0, 2e-4, 256


@torch.no_grad()
def rmse(m):
    sse = 0.0
    for s in range(0, len(rv), 2048):
        sse += ((m(uv[s:s + 2048], iv[s:s + 2048]) - rv[s:s + 2048]) ** 2).sum().item()
    return (sse / len(rv)) ** 0.5


print(f"ratings train {len(rt)} val {len(rv)}; global-mean RMSE {float(((rv - rt.mean()) ** 2).mean().sqrt()):.4f}")
for epoch in range(30):
    order = torch.randperm(len(rt))
    sq, seen = 0.0, 0
    for s in range(0, len(rt), bs):
        b = order[s:s + bs]
        pred = model(ut[b], it[b])
        reg = lam * (model.P(ut[b]).pow(2).sum() + model.Q(it[b]).pow(2).sum()
                     + model.bu(ut[b]).pow(2).sum() + model.bi(it[b]).pow(2).sum()) / len(b)
        mse = ((pred - rt[b]) ** 2).mean()
        loss = mse + reg
        sq += mse.item() * len(b)
        seen += len(b)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    lr *= 0.92
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d} train_rmse {(sq / seen) ** 0.5:.4f} val_rmse {rmse(model):.4f}")
print(f"final val_rmse={rmse(model):.4f}")
