"""Star-rating prediction for a recipe site: biased matrix factorisation.

Users rate recipes 1-5 stars. The serving API returns whole stars, so predictions go
through `to_stars`. The best checkpoint (whole module) is kept on disk and reloaded for the
final report.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)

N_USERS, N_ITEMS, K_TRUE = 600, 400, 4
U = rng.normal(0, 0.6, (N_USERS, K_TRUE))
V = rng.normal(0, 0.6, (N_ITEMS, K_TRUE))
bu = rng.normal(0, 0.4, N_USERS)
bi = rng.normal(0, 0.5, N_ITEMS)
n = 30000
users = rng.integers(0, N_USERS, n)
items = (rng.zipf(1.6, n) - 1) % N_ITEMS
raw = 3.5 + bu[users] + bi[items] + (U[users] * V[items]).sum(1) + rng.normal(0, 0.4, n)
stars = np.clip(np.rint(raw), 1, 5)

perm = rng.permutation(n)
tr, va = perm[:24000], perm[24000:]


def tensors(idx):
    return (torch.tensor(users[idx]), torch.tensor(items[idx]), torch.tensor(stars[idx], dtype=torch.float32))


train_loader = DataLoader(TensorDataset(*tensors(tr)), batch_size=256, shuffle=True)
val_loader = DataLoader(TensorDataset(*tensors(va)), batch_size=2048)


class BiasedMF(nn.Module):
    def __init__(self, n_users, n_items, k=16, global_mean=3.5):
        super().__init__()
        self.P = nn.Embedding(n_users, k)
        self.Q = nn.Embedding(n_items, k)
        self.bu = nn.Embedding(n_users, 1)
        self.bi = nn.Embedding(n_items, 1)
        for e in (self.P, self.Q):
            nn.init.normal_(e.weight, 0, 0.05)
        for e in (self.bu, self.bi):
            nn.init.zeros_(e.weight)
        self.register_buffer("mu", torch.tensor(float(global_mean)))

    def forward(self, u, i):
        return self.mu + self.bu(u).squeeze(-1) + self.bi(i).squeeze(-1) + (self.P(u) * self.Q(i)).sum(-1)


def to_stars(score):
    return score.clamp(1.0, 5.0).round()


model = BiasedMF(N_USERS, N_ITEMS, global_mean=float(stars[tr].mean()))
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)


def evaluate(m):
    m.eval()
    se, hit, cnt = 0.0, 0, 0
    with torch.no_grad():
        for u, i, r in val_loader:
            s = m(u, i).clamp(1.0, 5.0)
            se += ((s - r) ** 2).sum().item()
            hit += (to_stars(s) == r).sum().item()
            cnt += len(r)
    return (se / cnt) ** 0.5, hit / cnt


ckpt = os.path.join(tempfile.mkdtemp(), "best_mf.pt")
best = float("inf")
for epoch in range(1, 11):
    model.train()
    total = 0.0
    for u, i, r in train_loader:
        pred = model(u, i)
        loss = F.mse_loss(pred, r)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(r)
    rmse, acc = evaluate(model)
    if rmse < best:
        best = rmse
        torch.save(model, ckpt)
    if epoch % 2 == 0:
        print(f"epoch {epoch:2d}  train_loss {total / len(tr):.4f}  val_rmse {rmse:.4f}  exact_star {acc:.3f}")

best_model = torch.load(ckpt, weights_only=False)
rmse, acc = evaluate(best_model)
print(f"final val_rmse {rmse:.4f}  exact_star_acc {acc:.4f}")
