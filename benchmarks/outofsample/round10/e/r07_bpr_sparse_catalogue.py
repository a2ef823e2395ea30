"""Implicit-feedback recommender for a 20k-item catalogue: BPR matrix factorisation with
sparse embedding gradients and Adagrad (which handles sparse rows natively), leave-one-out
evaluation by HitRate@10 over the full catalogue against the popularity ranking.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(21)
rng = np.random.default_rng(21)

N_USERS, N_ITEMS, TRUE_DIM, PER_USER = 4000, 20000, 8, 40

# --- simulate a clickstream: Zipf popularity x latent taste ---------------------------
item_f = rng.normal(0, 1, (N_ITEMS, TRUE_DIM)).astype(np.float32)
user_f = rng.normal(0, 1, (N_USERS, TRUE_DIM)).astype(np.float32)
log_pop = (-0.8 * np.log(1 + rng.permutation(N_ITEMS))).astype(np.float32)
histories = []
for start in range(0, N_USERS, 500):
    s = 2.5 * user_f[start:start + 500] @ item_f.T / np.sqrt(TRUE_DIM) + log_pop
    g = s + rng.gumbel(size=s.shape).astype(np.float32)
    histories.extend(np.argsort(-g, axis=1)[:, :PER_USER])
histories = np.array(histories)
# last interaction of each user is held out
train_pairs = np.array([(u, i) for u in range(N_USERS) for i in histories[u, :-1]])
test_item = histories[:, -1]
seen = [set(h[:-1]) for h in histories]


class BPR(nn.Module):
    def __init__(self, n_users, n_items, dim=32):
        super().__init__()
        self.user = nn.Embedding(n_users, dim, sparse=True)
        self.item = nn.Embedding(n_items, dim, sparse=True)
        self.item_bias = nn.Embedding(n_items, 1, sparse=True)
        nn.init.normal_(self.user.weight, std=0.1)
        nn.init.normal_(self.item.weight, std=0.1)
        nn.init.zeros_(self.item_bias.weight)

    def forward(self, u, i):
        return (self.user(u) * self.item(i)).sum(-1) + self.item_bias(i).squeeze(-1)


model = BPR(N_USERS, N_ITEMS)
optimizer = torch.optim.Adagrad(model.parameters(), lr=0.1)
l2 = 1e-5

pairs = torch.from_numpy(train_pairs)
batch = 1024
for epoch in range(8):
    perm = torch.randperm(len(pairs))
    total = 0.0
    for k in range(0, len(pairs), batch):
        u, pos = pairs[perm[k:k + batch]].T
        neg = torch.randint(0, N_ITEMS, (len(u),))
        optimizer.zero_grad()
        diff = model(u, pos) - model(u, neg)
        loss = -nn.functional.logsigmoid(diff).mean()
        reg = l2 * (model.user(u).pow(2).sum() + model.item(pos).pow(2).sum() + model.item(neg).pow(2).sum())
        (loss + reg).backward()
        optimizer.step()
        total += loss.item() * len(u)
    print(f"epoch {epoch:2d} BPR loss {total / len(pairs):.4f}")


@torch.no_grad()
def hit_rate(score_fn, k=10):
    hits = 0
    for start in range(0, N_USERS, 500):
        users = torch.arange(start, min(start + 500, N_USERS))
        scores = score_fn(users)
        for row, u in enumerate(users.tolist()):
            scores[row, list(seen[u])] = -float("inf")
        top = scores.topk(k, dim=1).indices.numpy()
        hits += sum(test_item[u] in top[r] for r, u in enumerate(users.tolist()))
    return hits / N_USERS


model.eval()
mf = hit_rate(lambda us: model.user(us) @ model.item.weight.T + model.item_bias.weight.T)
counts = torch.bincount(pairs[:, 1], minlength=N_ITEMS).float()
pop = hit_rate(lambda us: counts.expand(len(us), -1).clone())
print(f"final HitRate@10={mf:.4f} (popularity baseline {pop:.4f}, random {10 / N_ITEMS:.5f})")
