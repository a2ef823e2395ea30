"""Explicit-feedback recommender: biased matrix factorisation with a small MLP on top of the
user/item embeddings, trained on synthetic 1-5 star ratings. Keeps an exponential moving average
of the weights (deepcopy) for evaluation and saves the whole EMA model at the end."""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_USERS, N_ITEMS, K = 800, 500, 8


def simulate_ratings(rng, n):
    U = rng.normal(0, 1, (N_USERS, K))
    V = rng.normal(0, 1, (N_ITEMS, K))
    ub, ib = rng.normal(0, 0.4, N_USERS), rng.normal(0, 0.6, N_ITEMS)
    pop = rng.zipf(1.6, N_ITEMS).astype(float); pop /= pop.sum()
    u = rng.integers(0, N_USERS, n)
    i = rng.choice(N_ITEMS, n, p=0.5 * pop + 0.5 / N_ITEMS)
    score = 3.5 + ub[u] + ib[i] + 0.45 * (U[u] * V[i]).sum(1) + rng.normal(0, 0.5, n)
    r = np.clip(np.rint(score), 1, 5)
    return u, i, r.astype(np.float32)


class NeuMF(nn.Module):
    def __init__(self, dim=32, global_mean=3.5):
        super().__init__()
        self.user = nn.Embedding(N_USERS, dim)
        self.item = nn.Embedding(N_ITEMS, dim)
        self.user_bias = nn.Embedding(N_USERS, 1)
        self.item_bias = nn.Embedding(N_ITEMS, 1)
        for e in (self.user, self.item):
            nn.init.normal_(e.weight, std=0.1)
        for e in (self.user_bias, self.item_bias):
            nn.init.zeros_(e.weight)
        self.mlp = nn.Sequential(nn.Linear(2 * dim, 64), nn.ReLU(), nn.Linear(64, 1))
        self.mu = nn.Parameter(torch.tensor(global_mean))

    def forward(self, u, i):
        pu, qi = self.user(u), self.item(i)
        dot = (pu * qi).sum(-1)
        deep = self.mlp(torch.cat([pu, qi], -1)).squeeze(-1)
        return self.mu + self.user_bias(u).squeeze(-1) + self.item_bias(i).squeeze(-1) + dot + deep


@torch.no_grad()
def rmse(model, loader):
    model.eval()
    se, n = 0.0, 0
    for u, i, r in loader:
        se += nn.functional.mse_loss(model(u, i).clamp(1, 5), r, reduction="sum").item()
        n += len(r)
    return (se / n) ** 0.5


def main():
    torch.manual_seed(17)
    np.random.seed(17)
    torch.set_num_threads(1)
    rng = np.random.default_rng(17)
    u, i, r = simulate_ratings(rng, 100000)
    split = 90000
    to_t = lambda a, dt: torch.as_tensor(a, dtype=dt)
    train = TensorDataset(to_t(u[:split], torch.long), to_t(i[:split], torch.long), to_t(r[:split], torch.float32))
    val = TensorDataset(to_t(u[split:], torch.long), to_t(i[split:], torch.long), to_t(r[split:], torch.float32))
    train_loader = DataLoader(train, batch_size=1024, shuffle=True)
    val_loader = DataLoader(val, batch_size=4096)

    model = NeuMF(global_mean=float(r[:split].mean()))
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    ema_decay = 0.99

    epochs = 8
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.05)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2, epochs=epochs,
                                                    steps_per_epoch=len(train_loader), pct_start=0.25)
    loss_fn = nn.MSELoss()
    for epoch in range(epochs):
        model.train()
        for uu, ii, rr in train_loader:
            loss = loss_fn(model(uu, ii), rr)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.lerp_(pm, 1 - ema_decay)
        print(f"epoch {epoch} lr {scheduler.get_last_lr()[0]:.2e} train_mse {loss.item():.4f} "
              f"val_rmse {rmse(model, val_loader):.4f} ema_val_rmse {rmse(ema, val_loader):.4f}")

    path = os.path.join(tempfile.mkdtemp(), "neumf_ema.pt")
    torch.save(ema, path)
    served = torch.load(path, weights_only=False)
    baseline = float(np.sqrt(((r[split:] - r[:split].mean()) ** 2).mean()))
    print(f"final val_rmse={rmse(served, val_loader):.4f} (global-mean baseline {baseline:.4f})")


if __name__ == "__main__":
    main()
