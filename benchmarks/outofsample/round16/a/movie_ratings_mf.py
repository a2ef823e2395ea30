"""Explicit-feedback recommender: biased matrix factorisation on 1-5 star ratings,
global-mean offset, L2 on the looked-up factors, early stopping on validation RMSE."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_USERS, N_ITEMS, RANK = 800, 500, 5


def simulate_ratings(n, rng):
    U = rng.normal(0, 0.6, (N_USERS, RANK))
    V = rng.normal(0, 0.6, (N_ITEMS, RANK))
    bu = rng.normal(0, 0.4, N_USERS)
    bi = rng.normal(0, 0.5, N_ITEMS)
    pop = rng.zipf(1.6, N_ITEMS * 4)
    pop = pop[pop <= N_ITEMS][:N_ITEMS]
    item_p = np.bincount(pop - 1, minlength=N_ITEMS) + 1.0
    users = rng.integers(0, N_USERS, n)
    items = rng.choice(N_ITEMS, n, p=item_p / item_p.sum())
    r = 3.6 + bu[users] + bi[items] + (U[users] * V[items]).sum(1) + rng.normal(0, 0.5, n)
    return users, items, np.clip(np.rint(r), 1, 5).astype(np.float32)


class BiasedMF(nn.Module):
    def __init__(self, n_users, n_items, dim, global_mean):
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        nn.init.normal_(self.user.weight, std=0.05)
        nn.init.normal_(self.item.weight, std=0.05)
        nn.init.zeros_(self.user_bias.weight)
        nn.init.zeros_(self.item_bias.weight)
        self.register_buffer("mu", torch.tensor(global_mean))

    def forward(self, u, i):
        pu, qi = self.user(u), self.item(i)
        pred = self.mu + self.user_bias(u).squeeze(-1) + self.item_bias(i).squeeze(-1) + (pu * qi).sum(-1)
        return pred, (pu.pow(2).sum(-1) + qi.pow(2).sum(-1)).mean()


def main():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    users, items, ratings = simulate_ratings(60000, rng)
    perm = rng.permutation(len(ratings))
    tr, va = perm[:50000], perm[50000:]
    t = lambda a: torch.from_numpy(a)
    loader = DataLoader(TensorDataset(t(users[tr]), t(items[tr]), t(ratings[tr])), batch_size=512, shuffle=True)
    vu, vi, vr = t(users[va]), t(items[va]), t(ratings[va])

    model = BiasedMF(N_USERS, N_ITEMS, 32, float(ratings[tr].mean()))
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    l2 = 0.05
    best, best_state, patience, bad = float("inf"), None, 3, 0

    for epoch in range(1, 41):
        model.train()
        for u, i, r in loader:
            opt.zero_grad()
            pred, reg = model(u, i)
            loss = ((pred - r) ** 2).mean() + l2 * reg
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            rmse = ((model(vu, vi)[0].clamp(1, 5) - vr) ** 2).mean().sqrt().item()
        print(f"epoch {epoch:2d} train_obj {loss.item():.4f} val_rmse {rmse:.4f}")
        if rmse < best - 1e-4:
            best, bad = rmse, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
            if bad >= patience:
                print(f"early stop at epoch {epoch}")
                break
    model.load_state_dict(best_state)
    base = ((vr - ratings[tr].mean()) ** 2).mean().sqrt().item()
    print(f"final val_rmse {best:.4f} (global-mean baseline {base:.4f})")


if __name__ == "__main__":
    main()
