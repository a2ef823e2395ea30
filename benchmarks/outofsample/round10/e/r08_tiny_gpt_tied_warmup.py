"""A small decoder-only Transformer LM (nanoGPT-style) on a synthetic 2k-token corpus.

Token embedding tied to the output projection, long linear warm-up (30% of steps) then cosine
decay, AdamW with weight decay only on the 2-D matmul weights (no decay on biases, LayerNorm
or the tied embedding), gradient clipping at 1.0. Validation NLL is accumulated with
reduction="sum" and divided by the token count.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1337)
rng = np.random.default_rng(1337)

# --- corpus: a hidden Markov "topic" process, each topic with its own Zipfian word list ----
V, STATES = 2048, 24
trans = rng.dirichlet(np.full(STATES, 0.05), STATES) * 0.3 + np.eye(STATES) * 0.7
emit = np.zeros((STATES, V))
for s in range(STATES):
    words = rng.choice(V, 120, replace=False)
    emit[s, words] = 1.0 / np.arange(1, 121) ** 1.1
emit /= emit.sum(1, keepdims=True)


def generate(n_tokens):
    cum = trans.cumsum(1)
    u = rng.random(n_tokens)
    states = np.empty(n_tokens, dtype=np.int64)
    s = rng.integers(STATES)
    for t in range(n_tokens):
        states[t] = s
        s = min(int(np.searchsorted(cum[s], u[t])), STATES - 1)
    out = np.empty(n_tokens, dtype=np.int64)
    for s in range(STATES):
        where = states == s
        out[where] = rng.choice(V, size=int(where.sum()), p=emit[s])
    return torch.from_numpy(out)


train_data, val_data = generate(120_000), generate(8_000)
block, batch_size = 32, 32


def get_batch(split):
    data = train_data if split == "train" else val_data
    ix = torch.randint(len(data) - block - 1, (batch_size,))
    x = torch.stack([data[i:i + block] for i in ix])
    y = torch.stack([data[i + 1:i + 1 + block] for i in ix])
    return x, y


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        self.register_buffer("mask", torch.triu(torch.ones(block, block, dtype=torch.bool), 1))

    def forward(self, x):
        h = self.ln1(x)
        T = x.size(1)
        x = x + self.attn(h, h, h, attn_mask=self.mask[:T, :T], need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self, vocab, d=64, layers=2, heads=4):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(block, d)
        self.blocks = nn.Sequential(*[Block(d, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.tok.weight  # weight tying (Press & Wolf 2017)
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)

    def forward(self, idx):
        x = self.tok(idx) + self.pos(torch.arange(idx.size(1)))
        return self.head(self.ln_f(self.blocks(x)))


model = TinyGPT(V)
decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "tok" not in n and "pos" not in n]
no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "tok" not in n and "pos" not in n)]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                               {"params": no_decay, "weight_decay": 0.0}], lr=4e-3, betas=(0.9, 0.95))
max_iters, warmup = 500, 150


def lr_lambda(it):
    if it < warmup:
        return (it + 1) / warmup
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (it - warmup) / (max_iters - warmup)))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)


@torch.no_grad()
def val_nll():
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(val_data) - block - 1, block * 16):
        starts = torch.arange(i, min(i + block * 16, len(val_data) - block - 1), block)
        x = torch.stack([val_data[s:s + block] for s in starts])
        y = torch.stack([val_data[s + 1:s + 1 + block] for s in starts])
        logits = model(x)
        total += F.cross_entropy(logits.view(-1, V), y.view(-1), reduction="sum").item()
        count += y.numel()
    model.train()
    return total / count


for it in range(max_iters):
    xb, yb = get_batch("train")
    logits = model(xb)
    loss = F.cross_entropy(logits.view(-1, V), yb.view(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    if it % 100 == 0 or it == max_iters - 1:
        print(f"iter {it:4d} loss {loss.item():.4f} val {val_nll():.4f} lr {scheduler.get_last_lr()[0]:.2e}")

counts = torch.bincount(train_data, minlength=V).float() + 0.5
unigram = -(torch.log(counts / counts.sum())[val_data]).mean().item()
print(f"final val perplexity={math.exp(val_nll()):.1f} (unigram baseline {math.exp(unigram):.1f}, uniform {V})")
