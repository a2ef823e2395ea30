"""Neural collaborative filtering for a recipe site's 1-5 star ratings.

User and recipe embeddings are concatenated and passed through an MLP
(He et al., 2017, "NCF" without the GMF branch). Embeddings and the MLP get
their own optimizer settings; the LR is decayed by StepLR every few epochs.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_USERS, N_ITEMS, RANK = 600, 400, 4


def simulate_ratings(n, rng):
    u_f = rng.normal(0, 1, (N_USERS, RANK))
    i_f = rng.normal(0, 1, (N_ITEMS, RANK))
    u_b = rng.normal(0, 0.4, N_USERS)
    i_b = rng.normal(0, 0.6, N_ITEMS)
    pop = rng.lognormal(0.0, 0.8, N_ITEMS)
    users = rng.integers(0, N_USERS, n)
    items = rng.choice(N_ITEMS, n, p=pop / pop.sum())
    raw = 3.5 + u_b[users] + i_b[items] + 0.5 * (u_f[users] * i_f[items]).sum(1)
    raw += rng.normal(0, 0.3, n)
    stars = np.clip(np.rint(raw), 1, 5)
    return users, items, stars.astype(np.float32)


class NCF(nn.Module):
    def __init__(self, n_users, n_items, dim=16, hidden=(64, 32)):
        super().__init__()
        self.user_emb = nn.Embedding(n_users, dim)
        self.item_emb = nn.Embedding(n_items, dim)
        layers, width = [], 2 * dim
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, 1))
        self.mlp = nn.Sequential(*layers)

    def forward(self, u, i):
        z = torch.cat([self.user_emb(u), self.item_emb(i)], dim=-1)
        return self.mlp(z).squeeze(-1)


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    users, items, stars = simulate_ratings(50000, rng)
    perm = rng.permutation(len(stars))
    n_val = len(stars) // 10
    va, tr = perm[:n_val], perm[n_val:]
    mean_star = stars[tr].mean()

    def loader(idx, shuffle):
        ds = TensorDataset(torch.from_numpy(users[idx]), torch.from_numpy(items[idx]),
                           torch.from_numpy(stars[idx] - mean_star))
        return DataLoader(ds, batch_size=256, shuffle=shuffle)

    train_loader, val_loader = loader(tr, True), loader(va, False)

    model = NCF(N_USERS, N_ITEMS)
    optimizer = torch.optim.Adam([
        {"params": model.mlp.parameters()},
        {"params": [model.user_emb.weight, model.item_emb.weight], "lr": 1e-5, "weight_decay": 1e-2},
    ], lr=3e-3, weight_decay=1e-5)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)
    loss_fn = nn.MSELoss()

    for epoch in range(10):
        model.train()
        tot, n = 0.0, 0
        for u, i, r in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(u, i), r)
            loss.backward()
            optimizer.step()
            tot += loss.item() * len(r)
            n += len(r)
        scheduler.step()

        model.eval()
        se, m = 0.0, 0
        with torch.no_grad():
            for u, i, r in val_loader:
                pred = (model(u, i) + mean_star).clamp(1, 5)
                se += ((pred - (r + mean_star)) ** 2).sum().item()
                m += len(r)
        print(f"epoch {epoch + 1:2d} train_mse {tot / n:.4f} val_rmse {(se / m) ** 0.5:.4f}")

    baseline = float(np.sqrt(((stars[va] - mean_star) ** 2).mean()))
    print(f"final val_rmse {(se / m) ** 0.5:.4f} (global-mean baseline {baseline:.4f})")


if __name__ == "__main__":
    main()
