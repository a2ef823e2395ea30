"""Explicit-feedback rating prediction (1-5 stars) for a catalogue of short films.

Neural collaborative filtering: user and item embeddings with biases, a dot-product term and
an MLP tower over the concatenated embeddings. Embeddings get their own parameter group.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)

N_USERS, N_ITEMS, RANK, N_RATINGS = 1500, 700, 6, 60000

# synthetic ground truth: low-rank taste + user/item offsets + popularity-skewed exposure
U = rng.normal(0, 1, (N_USERS, RANK))
V = rng.normal(0, 1, (N_ITEMS, RANK))
user_bias = rng.normal(0, 0.4, N_USERS)
item_bias = rng.normal(0, 0.6, N_ITEMS)
popularity = rng.zipf(1.6, N_ITEMS).astype(float)
popularity /= popularity.sum()
users = rng.integers(0, N_USERS, N_RATINGS)
items = rng.choice(N_ITEMS, N_RATINGS, p=0.5 * popularity + 0.5 / N_ITEMS)
score = 3.4 + user_bias[users] + item_bias[items] + 0.45 * (U[users] * V[items]).sum(1) + rng.normal(0, 0.5, N_RATINGS)
ratings = np.clip(np.round(score), 1, 5).astype(np.float32)

perm = rng.permutation(N_RATINGS)
tr, te = perm[:50000], perm[50000:]
global_mean = float(ratings[tr].mean())


def tensors(idx):
    return (torch.from_numpy(users[idx]), torch.from_numpy(items[idx]), torch.from_numpy(ratings[idx]))


train_loader = DataLoader(TensorDataset(*tensors(tr)), batch_size=256, shuffle=True)
test_loader = DataLoader(TensorDataset(*tensors(te)), batch_size=4096)


class NCF(nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.user = nn.Embedding(N_USERS, dim)
        self.item = nn.Embedding(N_ITEMS, dim)
        self.user_b = nn.Embedding(N_USERS, 1)
        self.item_b = nn.Embedding(N_ITEMS, 1)
        for e in (self.user, self.item):
            nn.init.normal_(e.weight, std=0.1)
        for e in (self.user_b, self.item_b):
            nn.init.zeros_(e.weight)
        self.tower = nn.Sequential(nn.Linear(2 * dim, 64), nn.ReLU(), nn.Linear(64, 1))
        self.mu = global_mean

    def embeddings(self):
        return [self.user.weight, self.item.weight, self.user_b.weight, self.item_b.weight]

    def forward(self, u, i):
        pu, qi = self.user(u), self.item(i)
        dot = (pu * qi).sum(1)
        mlp = self.tower(torch.cat([pu, qi], 1)).squeeze(1)
        return self.mu + self.user_b(u).squeeze(1) + self.item_b(i).squeeze(1) + dot + mlp


model = NCF()
optimizer = torch.optim.Adam([
    {"params": model.embeddings(), "lr": 3e-1, "weight_decay": 1e-4},
    {"params": model.tower.parameters()},
], lr=1e-3)
loss_fn = nn.MSELoss()


def test_rmse():
    model.eval()
    sq, n = 0.0, 0
    with torch.no_grad():
        for u, i, r in test_loader:
            sq += nn.functional.mse_loss(model(u, i).clamp(1, 5), r, reduction="sum").item()
            n += len(r)
    model.train()
    return (sq / n) ** 0.5


for epoch in range(1, 6):
    total, count = 0.0, 0
    for u, i, r in train_loader:
        pred = model(u, i)
        loss = loss_fn(pred, r)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(r)
        count += len(r)
    print(f"epoch {epoch}  train mse {total / count:.4f}  test rmse {test_rmse():.4f}")

baseline = float(np.sqrt(((ratings[te] - global_mean) ** 2).mean()))
print(f"final test rmse {test_rmse():.4f}  (global-mean baseline {baseline:.4f})")
