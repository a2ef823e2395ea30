import math
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 7
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

VOCAB = 3200
SEQ = 48
BATCH = 32


def make_corpus(n_tokens, rng):
    # sparse first-order Markov chain over a large symbol set, Zipf-ish unigram prior
    succ = rng.integers(0, VOCAB, size=(VOCAB, 6))
    probs = rng.dirichlet(np.ones(6) * 0.5, size=VOCAB)
    out = np.empty(n_tokens, dtype=np.int64)
    cur = 0
    for i in range(n_tokens):
        out[i] = cur
        if rng.random() < 0.05:
            cur = int(rng.zipf(1.3) % VOCAB)
        else:
            cur = int(succ[cur, rng.choice(6, p=probs[cur])])
    return out


rng = np.random.default_rng(SEED)
stream = torch.from_numpy(make_corpus(120_000, rng))
split = int(len(stream) * 0.9)
train_stream, val_stream = stream[:split], stream[split:]


def batches(data, shuffle):
    n = (len(data) - 1) // SEQ
    starts = torch.arange(n) * SEQ
    if shuffle:
        starts = starts[torch.randperm(n)]
    for i in range(0, n - BATCH + 1, BATCH):
        s = starts[i:i + BATCH]
        idx = s[:, None] + torch.arange(SEQ + 1)[None]
        chunk = data[idx]
        yield chunk[:, :-1], chunk[:, 1:]


class GRULM(nn.Module):
    def __init__(self, vocab, emb=96, hidden=192):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.gru = nn.GRU(emb, hidden, batch_first=True)
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x):
        h, _ = self.gru(self.emb(x))
        return self.head(self.drop(h))


model = GRULM(VOCAB)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)

for epoch in range(3):
    model.train()
    tot, cnt = 0.0, 0
    for x, y in batches(train_stream, True):
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        tot += loss.item()
        cnt += 1
    model.eval()
    vl, vn = 0.0, 0
    with torch.no_grad():
        for x, y in batches(val_stream, False):
            logits = model(x)
            vl += F.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1), reduction="sum").item()
            vn += y.numel()
    print(f"epoch {epoch} train_loss {tot / cnt:.3f} val_ppl {math.exp(vl / vn):.1f}")

print(f"final val perplexity {math.exp(vl / vn):.1f} (uniform would be {VOCAB})")
