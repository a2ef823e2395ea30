"""Route research abstracts to review panels with few labels, by transfer from a larger
subject-area corpus.

Inputs are sparse TF-IDF bag-of-words vectors (2,000 terms, ~97% zeros).
Stage 1 trains an encoder + head on 6,000 abstracts labelled with 12 subject areas.
Stage 2 (the task we care about): 5 review panels, only 400 labelled abstracts.
The pretrained encoder is copied; first it is frozen and only a new head is trained,
then the top encoder layer is unfrozen with a learning rate 50x below the head's.
Small labelled batches use gradient accumulation (4 x 16).
"""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(17)
rng = np.random.default_rng(17)
V, K = 2000, 12

topic_words = rng.dirichlet(np.full(V, 0.03), K)               # sparse topic-word distributions
background = rng.dirichlet(np.full(V, 1.0))


def corpus(n):
    main = rng.integers(0, K, n)
    docs = np.zeros((n, V), np.float32)
    for j in range(n):
        mix = 0.35 * topic_words[main[j]] + 0.15 * topic_words[rng.integers(K)] + 0.5 * background
        words = rng.choice(V, size=int(rng.integers(30, 100)), p=mix / mix.sum())
        np.add.at(docs[j], words, 1)
    return docs, main


def tfidf(counts, idf):
    x = np.log1p(counts) * idf
    return x / np.linalg.norm(x, axis=1, keepdims=True).clip(1e-8)


src_counts, src_topic = corpus(6000)
idf = np.log((1 + len(src_counts)) / (1 + (src_counts > 0).sum(0))) + 1
Xs = torch.from_numpy(tfidf(src_counts, idf).astype(np.float32))
ys = torch.from_numpy(src_topic)

PANEL_OF_TOPIC = np.array([0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 4, 4])
tgt_counts, tgt_topic = corpus(1400)
Xt = torch.from_numpy(tfidf(tgt_counts, idf).astype(np.float32))
yt = torch.from_numpy(PANEL_OF_TOPIC[tgt_topic])
Xt_tr, yt_tr, Xt_va, yt_va = Xt[:400], yt[:400], Xt[400:], yt[400:]
print(f"input sparsity {(Xs == 0).float().mean():.3f}")


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.lower = nn.Sequential(nn.Linear(V, 256), nn.ReLU(), nn.Dropout(0.3))
        self.upper = nn.Sequential(nn.Linear(256, 128), nn.ReLU())

    def forward(self, x):
        return self.upper(self.lower(x))


def accuracy(enc, head, X, y):
    enc.eval(); head.eval()
    with torch.no_grad():
        return (head(enc(X)).argmax(1) == y).float().mean().item()


# ---- stage 1: subject areas -------------------------------------------------------------
encoder, src_head = Encoder(), nn.Linear(128, K)
opt = torch.optim.Adam(list(encoder.parameters()) + list(src_head.parameters()), lr=1e-3, weight_decay=1e-5)
for epoch in range(4):
    encoder.train(); src_head.train()
    perm = torch.randperm(5000)
    for k in range(0, 5000, 64):
        idx = perm[k:k + 64]
        loss = F.cross_entropy(src_head(encoder(Xs[idx])), ys[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"pretrain epoch {epoch + 1} loss {loss.item():.4f} "
          f"subject acc {accuracy(encoder, src_head, Xs[5000:], ys[5000:]):.4f}")

# ---- stage 2: review panels, few labels -------------------------------------------------
enc = copy.deepcopy(encoder)
head = nn.Linear(128, 5)
for p in enc.parameters():
    p.requires_grad_(False)
head_opt = torch.optim.Adam(head.parameters(), lr=5e-3)
ACCUM, MICRO = 4, 16


def run_epoch(optimizer, params):
    enc.train(); head.train()
    perm = torch.randperm(len(Xt_tr))
    optimizer.zero_grad()
    for step, k in enumerate(range(0, len(perm), MICRO), start=1):
        idx = perm[k:k + MICRO]
        loss = F.cross_entropy(head(enc(Xt_tr[idx])), yt_tr[idx]) / ACCUM
        loss.backward()
        if step % ACCUM == 0 or k + MICRO >= len(perm):
            nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad()


for epoch in range(15):
    run_epoch(head_opt, list(head.parameters()))
print(f"frozen encoder, head only: panel acc {accuracy(enc, head, Xt_va, yt_va):.4f}")

for p in enc.upper.parameters():
    p.requires_grad_(True)
ft_opt = torch.optim.Adam([{"params": enc.upper.parameters(), "lr": 1e-4},
                           {"params": head.parameters(), "lr": 5e-3}])
for epoch in range(8):
    run_epoch(ft_opt, list(enc.upper.parameters()) + list(head.parameters()))
    if epoch % 2 == 1:
        print(f"fine-tune epoch {epoch + 1} panel acc {accuracy(enc, head, Xt_va, yt_va):.4f}")
print(f"final panel val_acc {accuracy(enc, head, Xt_va, yt_va):.4f}")
