"""Neural collaborative filtering for explicit 1-5 star ratings.

User and item embeddings are concatenated and passed through an MLP tower (the NCF
"MLP" variant). The best epoch by validation RMSE is checkpointed with torch.save and
reloaded for the held-out test score.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

N_USERS, N_ITEMS, RANK = 800, 500, 6


def simulate_ratings(n):
    P = rng.normal(0, 0.55, (N_USERS, RANK))
    Q = rng.normal(0, 0.55, (N_ITEMS, RANK))
    bu = rng.normal(0, 0.35, N_USERS)
    bi = rng.normal(0, 0.5, N_ITEMS)
    # popular items get rated more often
    item_pop = rng.zipf(1.6, N_ITEMS).astype(float)
    item_pop /= item_pop.sum()
    u = rng.integers(0, N_USERS, n)
    i = rng.choice(N_ITEMS, n, p=0.5 * item_pop + 0.5 / N_ITEMS)
    r = 3.5 + bu[u] + bi[i] + np.einsum("nk,nk->n", P[u], Q[i]) + rng.normal(0, 0.5, n)
    r = np.clip(np.round(r), 1, 5)
    return u, i, r.astype(np.float32)


class NCF(nn.Module):
    def __init__(self, n_users, n_items, dim=32):
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.tower = nn.Sequential(
            nn.Linear(2 * dim, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.4),
            nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.4),
            nn.Linear(64, 1),
        )
        nn.init.normal_(self.user.weight, std=0.1)
        nn.init.normal_(self.item.weight, std=0.1)

    def forward(self, users, items):
        x = torch.cat([self.user(users), self.item(items)], dim=1)
        return self.tower(x).squeeze(1)


def evaluate(model, loader):
    se, n = 0.0, 0
    with torch.no_grad():
        for u, i, r in loader:
            se += ((model(u, i) - r) ** 2).sum().item()
            n += len(r)
    return (se / n) ** 0.5


def main():
    u, i, r = simulate_ratings(60000)
    perm = rng.permutation(len(r))
    tr, va, te = perm[:48000], perm[48000:54000], perm[54000:]
    mu = r[tr].mean()

    def ds(idx):
        return TensorDataset(torch.from_numpy(u[idx]), torch.from_numpy(i[idx]), torch.from_numpy(r[idx] - mu))

    train_loader = DataLoader(ds(tr), batch_size=256, shuffle=True)
    val_loader = DataLoader(ds(va), batch_size=1024)
    test_loader = DataLoader(ds(te), batch_size=1024)

    model = NCF(N_USERS, N_ITEMS)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-5)
    loss_fn = nn.MSELoss()

    ckpt = os.path.join(tempfile.mkdtemp(), "ncf_best.pt")
    best = float("inf")
    for epoch in range(1, 9):
        model.train()
        total = 0.0
        for ub, ib, rb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(ub, ib), rb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rb)
        val_rmse = evaluate(model, val_loader)
        print(f"epoch {epoch} train_mse {total / len(tr):.4f} val_rmse {val_rmse:.4f}")
        if val_rmse < best:
            best = val_rmse
            torch.save(model, ckpt)

    model = torch.load(ckpt, weights_only=False)
    test_rmse = evaluate(model, test_loader)
    print(f"final test_rmse {test_rmse:.4f} (best val_rmse {best:.4f})")


if __name__ == "__main__":
    main()
