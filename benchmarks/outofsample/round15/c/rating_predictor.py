"""Explicit-feedback rating model (1-5 stars) for a catalogue of online courses."""
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)

N_USERS, N_ITEMS, N_RATINGS, K_TRUE = 1200, 600, 60000, 6

# --- simulated interaction log ------------------------------------------------------------
U = rng.normal(0, 1, (N_USERS, K_TRUE))
V = rng.normal(0, 1, (N_ITEMS, K_TRUE))
user_bias = rng.normal(0, 0.4, N_USERS)
item_bias = rng.normal(0, 0.5, N_ITEMS)
pop = rng.zipf(1.6, N_ITEMS).astype(float)
users = rng.integers(0, N_USERS, N_RATINGS)
items = rng.choice(N_ITEMS, N_RATINGS, p=pop / pop.sum())
affinity = (U[users] * V[items]).sum(1) / math.sqrt(K_TRUE)
stars = np.clip(np.round(3.5 + user_bias[users] + item_bias[items] + 0.8 * affinity
                         + rng.normal(0, 0.5, N_RATINGS)), 1, 5).astype(np.float32)

order = rng.permutation(N_RATINGS)
n_val = N_RATINGS // 10
va, tr = order[:n_val], order[n_val:]
as_t = lambda a: torch.as_tensor(a)
train_ds = TensorDataset(as_t(users[tr]), as_t(items[tr]), as_t(stars[tr]))
val_ds = TensorDataset(as_t(users[va]), as_t(items[va]), as_t(stars[va]))
train_loader = DataLoader(train_ds, batch_size=256, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=2048)
global_mean = float(stars[tr].mean())


class NeuralRater(nn.Module):
    def __init__(self, n_users, n_items, dim=32, hidden=64):
        super().__init__()
        self.user_emb = nn.Embedding(n_users, dim)
        self.item_emb = nn.Embedding(n_items, dim)
        nn.init.normal_(self.user_emb.weight, std=0.1)
        nn.init.normal_(self.item_emb.weight, std=0.1)
        self.mlp = nn.Sequential(nn.Linear(3 * dim, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden // 2), nn.ReLU(),
                                 nn.Linear(hidden // 2, 1))

    def forward(self, u, i):
        pu, qi = self.user_emb(u), self.item_emb(i)
        return self.mlp(torch.cat([pu, qi, pu * qi], dim=-1)).squeeze(-1) + global_mean


model = NeuralRater(N_USERS, N_ITEMS)
embedding_params = list(model.item_emb.parameters())
optimizer = torch.optim.AdamW([
    {"params": embedding_params, "weight_decay": 0.0},
    {"params": model.mlp.parameters(), "weight_decay": 1e-4},
], lr=3e-3)
loss_fn = nn.MSELoss()


@torch.no_grad()
def rmse(loader):
    model.eval()
    sse, n = 0.0, 0
    for u, i, r in loader:
        sse += ((model(u, i) - r) ** 2).sum().item()
        n += r.numel()
    return math.sqrt(sse / n)


for epoch in range(1, 7):
    model.train()
    running = 0.0
    for step, (u, i, r) in enumerate(train_loader):
        optimizer.zero_grad()
        loss = loss_fn(model(u, i), r)
        loss.backward()
        optimizer.step()
        running += loss.item()
    print(f"epoch {epoch}  train mse {running / (step + 1):.4f}  val rmse {rmse(val_loader):.4f}")

baseline = math.sqrt(((stars[va] - global_mean) ** 2).mean())
print(f"final val RMSE {rmse(val_loader):.4f}  (global-mean baseline {baseline:.4f})")
