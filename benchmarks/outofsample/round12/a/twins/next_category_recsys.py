"""Next-purchase category model for a marketplace: given a shopper's id and the
last ten items they bought, predict which of 30 product categories they buy from next.
User embedding + EmbeddingBag over the basket history + MLP head."""
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

N_USERS, N_ITEMS, N_CATS, HIST = 500, 600, 30, 10


def simulate(n_events, seed=0):
    rng = np.random.default_rng(seed)
    item_cat = rng.integers(0, N_CATS, size=N_ITEMS)
    items_by_cat = [np.flatnonzero(item_cat == c) for c in range(N_CATS)]
    # each shopper has a sparse taste over categories; categories also follow each other
    taste = rng.dirichlet(np.full(N_CATS, 0.1), size=N_USERS)
    trans = rng.dirichlet(np.full(N_CATS, 0.05), size=N_CATS)
    users = rng.integers(0, N_USERS, size=n_events)

    def draw(p):
        u = rng.random((len(p), 1))
        return np.minimum((p.cumsum(1) < u).sum(1), N_CATS - 1)

    hist = np.empty((n_events, HIST), dtype=np.int64)
    c = draw(taste[users])
    for k in range(HIST + 1):
        if k == HIST:
            break
        pick = rng.random(n_events)
        hist[:, k] = [items_by_cat[ci][int(r * len(items_by_cat[ci]))] for ci, r in zip(c, pick)]
        c = draw(0.3 * taste[users] + 0.7 * trans[c])
    target = c
    return torch.from_numpy(users), torch.from_numpy(hist), torch.from_numpy(target)


class NextCategory(nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.user = nn.Embedding(N_USERS, dim)
        self.items = nn.EmbeddingBag(N_ITEMS, dim, mode="mean")
        self.last = nn.Embedding(N_ITEMS, dim)
        self.mlp = nn.Sequential(nn.Linear(3 * dim, 128), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(128, N_CATS))

    def forward(self, users, hist):
        z = torch.cat([self.user(users), self.items(hist), self.last(hist[:, -1])], dim=1)
        return self.mlp(z)


def main():
    torch.manual_seed(3)
    users, hist, target = simulate(24000, seed=3)
    n_tr = 20000
    tr = (users[:n_tr], hist[:n_tr], target[:n_tr])
    va = (users[n_tr:], hist[n_tr:], target[n_tr:])

    model = NextCategory()
    opt = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9, nesterov=True, weight_decay=1e-4)
    bs = 256
    for epoch in range(8):
        model.train()
        perm = torch.randperm(n_tr)
        total = 0.0
        for s in range(0, n_tr, bs):
            idx = perm[s:s + bs]
            logits = model(tr[0][idx], tr[1][idx])
            loss = F.cross_entropy(logits, tr[2][idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)

        model.eval()
        with torch.no_grad():
            nll_sum, hits, hits5 = 0.0, 0, 0
            for s in range(0, len(va[2]), 500):
                u, h, y = va[0][s:s + 500], va[1][s:s + 500], va[2][s:s + 500]
                logits = model(u, h)
                nll_sum += F.cross_entropy(logits, y, reduction="sum").item()
                hits += (logits.argmax(1) == y).sum().item()
                hits5 += (logits.topk(5, dim=1).indices == y[:, None]).any(1).sum().item()
        n_va = len(va[2])
        print(f"epoch {epoch}: train {total / n_tr:.4f} val_nll {nll_sum / n_va:.4f} "
              f"acc {hits / n_va:.4f} hit@5 {hits5 / n_va:.4f}")
    print(f"final val_acc={hits / n_va:.4f} hit@5={hits5 / n_va:.4f} val_nll={nll_sum / n_va:.4f}")


if __name__ == "__main__":
    main()
