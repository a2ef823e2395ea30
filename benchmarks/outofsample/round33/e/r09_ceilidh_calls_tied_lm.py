"""Language model of ceilidh dance calls.

A folk-dance society transcribed its callers' walk-throughs: each dance is a
sequence of figures ("circle left eight", "swing your partner", ...), figures
follow each other by custom, and calls carry bar counts. We train a GRU
language model whose output projection is tied to the input embedding
(Press & Wolf), with linear warm-up then cosine decay through LambdaLR, and
report validation perplexity against unigram and bigram baselines.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(13)
rng = np.random.default_rng(13)

FIGURES = {
    "circle": [["circle", "left", "eight", "bars"], ["circle", "right", "eight", "bars"]],
    "swing": [["swing", "your", "partner", "eight", "bars"], ["swing", "your", "neighbour", "eight", "bars"]],
    "dosido": [["do-si-do", "your", "partner"], ["do-si-do", "your", "neighbour"]],
    "star": [["right", "hand", "star"], ["left", "hand", "star", "back"]],
    "promenade": [["promenade", "home", "sixteen", "bars"], ["promenade", "across", "eight", "bars"]],
    "cast": [["first", "couple", "cast", "off"], ["first", "couple", "cast", "up"]],
    "arch": [["make", "an", "arch"], ["under", "the", "arch", "and", "home"]],
    "chain": [["ladies", "chain"], ["gents", "chain", "over", "and", "back"]],
    "balance": [["balance", "and", "swing"], ["balance", "the", "ring"]],
    "strip": [["strip", "the", "willow", "down", "the", "set"]],
}
NAMES = list(FIGURES)
TRANS = rng.dirichlet(np.full(len(NAMES), 0.25), size=len(NAMES))   # custom: sparse figure order
START = rng.dirichlet(np.ones(len(NAMES)))

words = sorted({w for v in FIGURES.values() for p in v for w in p} | {"<dance>", "</dance>", "and", "then"})
vocab = {w: i for i, w in enumerate(words)}
V = len(vocab)


def dance():
    toks, f = ["<dance>"], rng.choice(len(NAMES), p=START)
    for k in range(rng.integers(5, 11)):
        if k:
            toks.append(rng.choice(["and", "then"], p=[0.7, 0.3]))
        variants = FIGURES[NAMES[f]]
        toks += variants[rng.integers(len(variants))]
        f = rng.choice(len(NAMES), p=TRANS[f])
    return toks + ["</dance>"]


stream = [vocab[w] for _ in range(1400) for w in dance()]
data = torch.tensor(stream)
split = int(0.85 * len(data))
train_ids, val_ids = data[:split], data[split:]
print(f"vocab {V}, train tokens {len(train_ids)}, val tokens {len(val_ids)}")

BPTT, BATCH = 32, 32


def batchify(ids, bsz):
    n = len(ids) // bsz
    return ids[: n * bsz].view(bsz, n)


train_b, val_b = batchify(train_ids, BATCH), batchify(val_ids, 16)


class CallLM(nn.Module):
    def __init__(self, vocab_size, dim=64):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim)
        self.rnn = nn.GRU(dim, dim, num_layers=1, batch_first=True)
        self.drop = nn.Dropout(0.1)
        self.decoder = nn.Linear(dim, vocab_size)
        self.decoder.weight = self.embed.weight                   # tied weights
        nn.init.uniform_(self.embed.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, x, h=None):
        out, h = self.rnn(self.drop(self.embed(x)), h)
        return self.decoder(self.drop(out)), h


model = CallLM(V)
EPOCHS = 6
steps_per_epoch = (train_b.size(1) - 1) // BPTT
total, warmup = EPOCHS * steps_per_epoch, steps_per_epoch // 2
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))


def evaluate():
    model.eval()
    nll, count, h = 0.0, 0, None
    with torch.no_grad():
        for i in range(0, val_b.size(1) - 1, BPTT):
            x, t = val_b[:, i:i + BPTT], val_b[:, i + 1:i + 1 + BPTT]
            x = x[:, : t.size(1)]
            logits, h = model(x, h)
            nll += F.cross_entropy(logits.reshape(-1, V), t.reshape(-1), reduction="sum").item()
            count += t.numel()
    return math.exp(nll / count)


for epoch in range(1, EPOCHS + 1):
    model.train()
    h = None
    for s in range(steps_per_epoch):
        i = s * BPTT
        x, t = train_b[:, i:i + BPTT], train_b[:, i + 1:i + 1 + BPTT]
        if h is not None:
            h = h.detach()
        logits, h = model(x, h)
        loss = F.cross_entropy(logits.reshape(-1, V), t.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        scheduler.step()
    print(f"epoch {epoch} train loss {loss.item():.3f} val ppl {evaluate():.2f}")

uni = torch.bincount(train_ids, minlength=V).float() + 1
uni_ppl = math.exp(-(uni / uni.sum()).log()[val_ids].mean().item())
bi = torch.ones(V, V)
bi.index_put_((train_ids[:-1], train_ids[1:]), torch.ones(len(train_ids) - 1), accumulate=True)
bi = bi / bi.sum(1, keepdim=True)
bi_ppl = math.exp(-bi[val_ids[:-1], val_ids[1:]].log().mean().item())
print(f"unigram ppl {uni_ppl:.2f}  bigram ppl {bi_ppl:.2f}")
print(f"final val perplexity {evaluate():.2f}")
