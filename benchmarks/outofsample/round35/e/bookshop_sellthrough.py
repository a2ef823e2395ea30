"""Second-hand bookshop: will a newly shelved book sell within 30 days?

Every listing is a sparse multi-hot row: publisher, genre, condition grade, shelf bay,
month shelved and title words (vocabulary with a minimum count, built on the training
listings only). About a fifth of books sell in time. The model is deliberately small (an
embedding-bag-like linear layer of width 16) with the output bias started at the log-odds of
the base rate; trained with plain Adagrad, as sparse linear models often are.
"""
import math
from collections import Counter

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn

SEED = 99
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

N_PUB, N_GENRE, N_BAY = 120, 24, 36
WORDS = [f"w{i}" for i in range(600)]
word_p = 1 / np.arange(1, 601) ** 1.05
word_p /= word_p.sum()
pub_pop = rng.normal(0, 0.6, N_PUB)
genre_pop = rng.normal(0, 0.8, N_GENRE)
bay_pop = -0.04 * np.arange(N_BAY) + rng.normal(0, 0.2, N_BAY)       # back of the shop sells worse
word_pop = rng.normal(0, 0.5, 600) * (rng.random(600) < 0.15)
cond_pop = np.array([-1.0, -0.4, 0.0, 0.4, 0.7])
month_pop = 0.4 * np.sin(np.arange(12) / 12 * 2 * np.pi + 1.0)


def listings(n):
    rows = []
    for _ in range(n):
        pub = int(rng.zipf(1.6)) % N_PUB
        g, c, b, m = rng.integers(N_GENRE), rng.integers(5), rng.integers(N_BAY), rng.integers(12)
        title = rng.choice(600, size=rng.integers(2, 7), replace=False, p=word_p)
        logit = -0.7 + pub_pop[pub] + genre_pop[g] + cond_pop[c] + bay_pop[b] + month_pop[m] + word_pop[title].sum()
        sold = rng.random() < 1 / (1 + math.exp(-logit))
        toks = [f"pub={pub}", f"genre={g}", f"cond={c}", f"bay={b}", f"month={m}"] + [f"title={WORDS[t]}" for t in title]
        rows.append((toks, int(sold)))
    return rows


train_rows, val_rows = listings(8000), listings(2000)
counts = Counter(t for toks, _ in train_rows for t in toks)
vocab = {t: i for i, t in enumerate(sorted(t for t, c in counts.items() if c >= 3))}
print(f"{len(vocab)} sparse columns, base rate {np.mean([s for _, s in train_rows]):.3f}")


def to_tensor(rows):
    X = torch.zeros(len(rows), len(vocab))
    for r, (toks, _) in enumerate(rows):
        for t in toks:
            if t in vocab:
                X[r, vocab[t]] = 1.0
    return X, torch.tensor([s for _, s in rows], dtype=torch.float32)


Xtr, ytr = to_tensor(train_rows)
Xva, yva = to_tensor(val_rows)
print(f"share of non-zero entries: {Xtr.mean().item():.4f}")

model = nn.Sequential(nn.Linear(len(vocab), 16), nn.ReLU(), nn.Linear(16, 1))
prior = ytr.mean().item()
with torch.no_grad():
    model[2].bias.fill_(math.log(prior / (1 - prior)))
loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.Adagrad(model.parameters(), lr=0.02, weight_decay=4e-3)

for epoch in range(8):
    model.train()
    perm = torch.randperm(len(ytr))
    total = 0.0
    for i in range(0, len(perm), 100):
        idx = perm[i:i + 100]
        opt.zero_grad()
        loss = loss_fn(model(Xtr[idx]).squeeze(1), ytr[idx])
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        logits = model(Xva).squeeze(1)
        vloss = loss_fn(logits, yva).item()
    auc = roc_auc_score(yva.numpy(), logits.numpy())
    print(f"epoch {epoch:2d} train {total / len(ytr):.4f} val {vloss:.4f} auc {auc:.3f}")

const = -(prior * math.log(prior) + (1 - prior) * math.log(1 - prior))
print(f"FINAL val ROC-AUC {auc:.3f}, val log-loss {vloss:.4f} (base-rate log-loss {const:.4f})")
