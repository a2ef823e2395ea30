"""Implicit-feedback recommender (BPR matrix factorisation) for a small catalogue.

Each user's last interaction is held out; we rank it against 100 sampled items the
user never touched and report HR@10 and AUC. Plain mini-batch SGD, written out by hand.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(3)
rng = np.random.default_rng(3)
N_USERS, N_ITEMS, TRUE_K = 800, 500, 6

# --- synthetic interaction log: users pick items by a latent taste + popularity ----
U = rng.normal(0, 1, (N_USERS, TRUE_K))
V = rng.normal(0, 1, (N_ITEMS, TRUE_K))
pop = rng.normal(0, 1, N_ITEMS)
logits = U @ V.T / np.sqrt(TRUE_K) * 1.6 + 0.8 * pop
seen = []
for u in range(N_USERS):
    p = np.exp(logits[u] - logits[u].max()); p /= p.sum()
    k = rng.integers(12, 40)
    seen.append(rng.choice(N_ITEMS, size=k, replace=False, p=p))

train_pairs, held_out = [], []
for u, items in enumerate(seen):
    held_out.append(items[-1])
    train_pairs += [(u, i) for i in items[:-1]]
train_pairs = np.array(train_pairs)
user_items = [set(items) for items in seen]
print(f"{len(train_pairs)} training interactions, {N_USERS} users, {N_ITEMS} items")


class MF(nn.Module):
    def __init__(self, n_users, n_items, dim=32):
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.item_bias = nn.Embedding(n_items, 1)
        nn.init.normal_(self.user.weight, std=0.1)
        nn.init.normal_(self.item.weight, std=0.1)
        nn.init.zeros_(self.item_bias.weight)

    def forward(self, u, i):
        return (self.user(u) * self.item(i)).sum(-1) + self.item_bias(i).squeeze(-1)


def sample_negatives(users):
    neg = rng.integers(0, N_ITEMS, len(users))
    for k, u in enumerate(users):
        while neg[k] in user_items[u]:
            neg[k] = rng.integers(0, N_ITEMS)
    return neg


def evaluate(model):
    model.eval()
    hits, aucs = [], []
    with torch.no_grad():
        for u in range(N_USERS):
            cands = [held_out[u]]
            while len(cands) < 101:
                j = rng.integers(0, N_ITEMS)
                if j not in user_items[u]:
                    cands.append(j)
            s = model(torch.full((101,), u), torch.tensor(cands))
            rank = (s[1:] > s[0]).sum().item()
            hits.append(rank < 10)
            aucs.append(1 - rank / 100)
    model.train()
    return float(np.mean(hits)), float(np.mean(aucs))


model = MF(N_USERS, N_ITEMS)
lr, l2, batch = 10.0, 1e-3, 256
params = list(model.parameters())

for epoch in range(1, 26):
    perm = rng.permutation(len(train_pairs))
    running = 0.0
    for start in range(0, len(perm), batch):
        b = train_pairs[perm[start:start + batch]]
        u = torch.from_numpy(b[:, 0]); i = torch.from_numpy(b[:, 1])
        j = torch.from_numpy(sample_negatives(b[:, 0]))
        x_uij = model(u, i) - model(u, j)
        reg = l2 * (model.user(u).pow(2).sum() + model.item(i).pow(2).sum()
                    + model.item(j).pow(2).sum()) / len(u)
        loss = F.logsigmoid(x_uij).mean() + reg
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        running += loss.item() * len(u)
    if epoch % 5 == 0:
        hr, auc = evaluate(model)
        print(f"epoch {epoch:2d} bpr loss {running / len(perm):.4f} HR@10 {hr:.3f} AUC {auc:.3f}")

hr, auc = evaluate(model)
print(f"final HR@10 {hr:.4f} AUC {auc:.4f}")
