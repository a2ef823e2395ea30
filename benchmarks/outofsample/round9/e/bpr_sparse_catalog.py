"""Implicit-feedback recommender over a 200k-item catalogue (BPR, Rendle et al. 2009).

Item ids index a huge embedding table with sparse gradients (only the rows in the batch are
touched, so SparseAdam updates them lazily); the small genre table and user table are dense
and use Adam. Most catalogue rows are long-tail items that are never or rarely sampled.
Evaluation: per-user AUC of the held-out interactions against 100 random items.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

N_USERS, N_ITEMS, N_GENRES, DIM = 4000, 200_000, 40, 32


def simulate(rng):
    genre = rng.integers(0, N_GENRES, N_ITEMS)
    pop = 1.0 / np.arange(1, N_ITEMS + 1) ** 1.05
    rng.shuffle(pop)
    by_genre = [np.flatnonzero(genre == k) for k in range(N_GENRES)]
    p_in_genre = [pop[ix] / pop[ix].sum() for ix in by_genre]
    likes = np.stack([rng.choice(N_GENRES, 2, replace=False) for _ in range(N_USERS)])
    users = np.repeat(np.arange(N_USERS), 30)
    k = np.where(rng.random(len(users)) < 0.9, likes[users, rng.integers(0, 2, len(users))],
                 rng.integers(0, N_GENRES, len(users)))
    items = np.empty(len(users), np.int64)
    for kk in range(N_GENRES):
        m = k == kk
        items[m] = rng.choice(by_genre[kk], size=m.sum(), p=p_in_genre[kk])
    return np.stack([users, items], 1), genre


class BPR(nn.Module):
    def __init__(self, genre):
        super().__init__()
        self.register_buffer("genre", torch.as_tensor(genre))
        self.user = nn.Embedding(N_USERS, DIM)
        self.item = nn.Embedding(N_ITEMS, DIM, sparse=True)
        self.item_bias = nn.Embedding(N_ITEMS, 1, sparse=True)
        self.genre_emb = nn.Embedding(N_GENRES, DIM)
        nn.init.normal_(self.user.weight, std=0.1)
        nn.init.normal_(self.item.weight, std=0.01)
        nn.init.zeros_(self.item_bias.weight)
        nn.init.normal_(self.genre_emb.weight, std=0.1)

    def score(self, u, i):
        q = self.item(i) + self.genre_emb(self.genre[i])
        return (self.user(u) * q).sum(-1) + self.item_bias(i).squeeze(-1)

    def forward(self, u, pos, neg):
        return self.score(u, pos) - self.score(u, neg)

    def l2(self, u, pos, neg):
        return (self.user(u).pow(2).sum(-1) + self.item(pos).pow(2).sum(-1)
                + self.item(neg).pow(2).sum(-1)).mean()


@torch.no_grad()
def auc(model, users, held, g):
    model.eval()
    neg = torch.randint(0, N_ITEMS, (len(users), 100), generator=g)
    s_pos = model.score(users, held).unsqueeze(1)
    s_neg = model.score(users.unsqueeze(1).expand_as(neg), neg)
    return (s_pos > s_neg).float().mean().item()


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    inter, genre = simulate(rng)
    # last 3 interactions of every user are held out
    is_test = np.zeros(len(inter), bool)
    is_test[np.arange(N_USERS)[:, None] * 30 + np.arange(27, 30)] = True
    tr = torch.as_tensor(inter[~is_test])
    te = torch.as_tensor(inter[is_test])

    model = BPR(genre)
    sparse = [model.item.weight, model.item_bias.weight]
    dense = [model.user.weight, model.genre_emb.weight]
    opt_sparse = torch.optim.SparseAdam(sparse, lr=0.01)
    opt_dense = torch.optim.Adam(dense, lr=0.01, weight_decay=1e-5)

    g = torch.Generator().manual_seed(0)
    bs = 1024
    for epoch in range(6):
        model.train()
        perm = torch.randperm(len(tr), generator=g)
        total = 0.0
        for s in range(0, len(tr), bs):
            b = tr[perm[s:s + bs]]
            u, pos = b[:, 0], b[:, 1]
            neg = torch.randint(0, N_ITEMS, (len(b),), generator=g)
            loss = -F.logsigmoid(model(u, pos, neg)).mean() + 1e-3 * model.l2(u, pos, neg)
            opt_sparse.zero_grad()
            opt_dense.zero_grad()
            loss.backward()
            opt_sparse.step()
            opt_dense.step()
            total += loss.item() * len(b)
        print(f"epoch {epoch + 1} bpr_loss {total / len(tr):.4f} "
              f"test_auc {auc(model, te[:, 0], te[:, 1], torch.Generator().manual_seed(1)):.4f}")

    counts = torch.bincount(tr[:, 1], minlength=N_ITEMS).float()
    ng = torch.Generator().manual_seed(1)
    neg = torch.randint(0, N_ITEMS, (len(te), 100), generator=ng)
    c_pos, c_neg = counts[te[:, 1]].unsqueeze(1), counts[neg]
    pop_auc = ((c_pos > c_neg).float() + 0.5 * (c_pos == c_neg).float()).mean().item()
    final = auc(model, te[:, 0], te[:, 1], torch.Generator().manual_seed(1))
    print(f"final test_auc {final:.4f} (popularity baseline {pop_auc:.4f}); "
          f"catalogue rows ever trained: {(counts > 0).float().mean().item():.1%}")


if __name__ == "__main__":
    main()
