"""Implicit-feedback recommender (playlist adds) with BPR matrix factorisation.

Leave-one-out evaluation: each user's most recent add is held out and ranked against every item the
user has not touched. Plain SGD written out by hand as in the original BPR paper (step 0.05 per
sampled triple; the batch loss is a mean, so the step is scaled by the batch size), L2 on the rows used.
"""
import numpy as np
import torch

SEED = 13
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

N_USERS, N_ITEMS, TRUE_DIM = 800, 1200, 8
user_taste = rng.normal(size=(N_USERS, TRUE_DIM))
item_style = rng.normal(size=(N_ITEMS, TRUE_DIM))
item_pop = rng.normal(0, 1.0, size=N_ITEMS)
affinity = user_taste @ item_style.T / np.sqrt(TRUE_DIM) * 1.6 + item_pop

histories = []
for u in range(N_USERS):
    n = rng.integers(15, 50)
    p = np.exp(affinity[u] - affinity[u].max())
    histories.append(rng.choice(N_ITEMS, size=n, replace=False, p=p / p.sum()))

train_u, train_i, held_out = [], [], np.empty(N_USERS, dtype=np.int64)
seen = np.zeros((N_USERS, N_ITEMS), dtype=bool)
for u, items in enumerate(histories):
    held_out[u] = items[-1]
    train_u += [u] * (len(items) - 1)
    train_i += list(items[:-1])
    seen[u, items[:-1]] = True
train_u, train_i = torch.tensor(train_u), torch.tensor(train_i)
seen_t = torch.from_numpy(seen)
print(f"{len(train_u)} training interactions, density {seen.mean():.4f}")

DIM = 32
user_emb = (0.1 * torch.randn(N_USERS, DIM)).requires_grad_()
item_emb = (0.1 * torch.randn(N_ITEMS, DIM)).requires_grad_()
item_bias = torch.zeros(N_ITEMS, requires_grad=True)
params = [user_emb, item_emb, item_bias]

BATCH = 256
LR = 0.05 * BATCH
REG = 1e-2


def score(u, i):
    return (user_emb[u] * item_emb[i]).sum(-1) + item_bias[i]


def sample_negatives(u):
    j = torch.randint(N_ITEMS, (len(u),))
    clash = seen_t[u, j]
    while clash.any():                                  # resample items the user already has
        j[clash] = torch.randint(N_ITEMS, (int(clash.sum()),))
        clash = seen_t[u, j]
    return j


def evaluate(k=10):
    with torch.no_grad():
        scores = user_emb @ item_emb.T + item_bias
        scores[seen_t] = -float("inf")
        target = scores[torch.arange(N_USERS), torch.from_numpy(held_out)]
        rank = (scores > target[:, None]).sum(1)
    hit = (rank < k).float()
    ndcg = hit / torch.log2(rank.float() + 2)
    return hit.mean().item(), ndcg.mean().item()


for epoch in range(1, 41):
    perm = torch.randperm(len(train_u))
    total = 0.0
    for start in range(0, len(perm), BATCH):
        idx = perm[start:start + BATCH]
        u, i = train_u[idx], train_i[idx]
        j = sample_negatives(u)
        x_uij = score(u, i) - score(u, j)
        reg = user_emb[u].pow(2).sum(1) + item_emb[i].pow(2).sum(1) + item_emb[j].pow(2).sum(1)
        loss = -torch.nn.functional.logsigmoid(x_uij).mean() + REG * reg.mean()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None
        total += loss.item() * len(idx)
    if epoch % 5 == 0:
        hr, ndcg = evaluate()
        print(f"epoch {epoch:2d}  bpr loss {total / len(perm):.4f}  HR@10 {hr:.4f}  NDCG@10 {ndcg:.4f}")

hr, ndcg = evaluate()
pop = torch.bincount(train_i, minlength=N_ITEMS).float()
pop_scores = pop.repeat(N_USERS, 1)
pop_scores[seen_t] = -float("inf")
pop_rank = (pop_scores > pop_scores[torch.arange(N_USERS), torch.from_numpy(held_out)][:, None]).sum(1)
pop_hr = (pop_rank < 10).float().mean().item()
print(f"FINAL HR@10={hr:.4f} NDCG@10={ndcg:.4f} (most-popular baseline HR@10 {pop_hr:.4f}, random {10 / N_ITEMS:.4f})")
