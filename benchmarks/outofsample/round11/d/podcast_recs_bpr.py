"""Implicit-feedback recommender for a podcast app: matrix factorisation with
item biases trained with the BPR pairwise loss and sampled negatives.

Leave-one-out evaluation (NCF protocol): each user's last play is held out and ranked
against 99 shows the user never played.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 99
np.random.seed(SEED)
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

N_USERS, N_ITEMS, K_TRUE = 2000, 600, 8

# ---- simulated play logs: latent tastes + a strong popularity skew
U = rng.normal(0, 1, (N_USERS, K_TRUE))
V = rng.normal(0, 1, (N_ITEMS, K_TRUE))
pop = rng.normal(0, 1.0, N_ITEMS)
played = []
for u in range(N_USERS):
    logits = 0.9 * U[u] @ V.T / np.sqrt(K_TRUE) * 2.0 + pop
    p = np.exp(logits - logits.max()); p /= p.sum()
    n_u = int(rng.integers(12, 40))
    played.append(rng.choice(N_ITEMS, size=n_u, replace=False, p=p))

train_u, train_i, heldout = [], [], np.empty(N_USERS, dtype=np.int64)
seen = [set(s.tolist()) for s in played]
for u, items in enumerate(played):
    heldout[u] = items[-1]
    train_u += [u] * (len(items) - 1)
    train_i += items[:-1].tolist()
train_u, train_i = torch.tensor(train_u), torch.tensor(train_i)
print(f"{len(train_u)} training plays, {N_USERS} users, {N_ITEMS} shows")

eval_cands = np.empty((N_USERS, 100), dtype=np.int64)
for u in range(N_USERS):
    negs = []
    while len(negs) < 99:
        j = int(rng.integers(0, N_ITEMS))
        if j not in seen[u] and j not in negs:
            negs.append(j)
    eval_cands[u] = [heldout[u]] + negs
eval_cands = torch.from_numpy(eval_cands)


class BPRMF(nn.Module):
    def __init__(self, n_users, n_items, dim=32):
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.item_bias = nn.Embedding(n_items, 1)
        nn.init.normal_(self.user.weight, std=0.1)
        nn.init.normal_(self.item.weight, std=0.1)
        nn.init.zeros_(self.item_bias.weight)

    def score(self, u, i):
        return (self.user(u) * self.item(i)).sum(-1) + self.item_bias(i).squeeze(-1)


@torch.no_grad()
def leave_one_out(model, k=10):
    users = torch.arange(N_USERS)
    s = model.score(users[:, None], eval_cands)           # (users, 100); column 0 is the held-out play
    rank = (s[:, 1:] > s[:, :1]).sum(1)
    hr = (rank < k).float().mean().item()
    ndcg = torch.where(rank < k, 1 / torch.log2(rank.float() + 2), torch.zeros(())).mean().item()
    return hr, ndcg


model = BPRMF(N_USERS, N_ITEMS)
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
L2 = 1e-3
BATCH = 1024

for epoch in range(1, 21):
    perm = torch.randperm(len(train_u))
    total = 0.0
    for b in range(0, len(perm), BATCH):
        idx = perm[b:b + BATCH]
        u, i = train_u[idx], train_i[idx]
        j = torch.randint(0, N_ITEMS, (len(idx),))             # sampled negatives (rarely a positive)
        diff = model.score(u, i) - model.score(u, j)
        reg = L2 * (model.user(u).pow(2).sum() + model.item(i).pow(2).sum() + model.item(j).pow(2).sum()) / len(idx)
        loss = -F.logsigmoid(diff).mean() + reg
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    if epoch % 4 == 0:
        hr, ndcg = leave_one_out(model)
        print(f"epoch {epoch:2d}  bpr_loss {total / len(train_u):.4f}  HR@10 {hr:.4f}  NDCG@10 {ndcg:.4f}")

counts = torch.bincount(train_i, minlength=N_ITEMS).float()
pop_rank = (counts[eval_cands[:, 1:]] > counts[eval_cands[:, :1]]).sum(1)
print(f"popularity baseline HR@10 {(pop_rank < 10).float().mean().item():.4f}")
print(f"final HR@10 {hr:.4f}  NDCG@10 {ndcg:.4f}")
