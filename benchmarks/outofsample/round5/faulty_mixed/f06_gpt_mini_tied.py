"""A tiny GPT-style causal language model (pre-LN Transformer blocks, tied
input/output embeddings) trained on a synthetic token stream: a sparse
Markov source over a 512-token vocabulary with a copy rule every 16 tokens."""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, CTX = 512, 32


def token_stream(n, rng, nxt, probs):
    out = np.empty(n, dtype=np.int64)
    t = 0
    for i in range(n):
        if i >= 16 and i % 16 == 0:
            t = out[i - 16]                                      # copy rule
        else:
            t = nxt[t][np.searchsorted(probs[t], rng.random())]
        out[i] = t
    return out


class Block(nn.Module):
    def __init__(self, d, n_head, dropout):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, n_head, dropout=dropout, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d), nn.Dropout(dropout))

    def forward(self, x, mask):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class MiniGPT(nn.Module):
    def __init__(self, vocab=VOCAB, d=96, n_layer=2, n_head=4, ctx=CTX, dropout=0.1):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab, d)
        self.pos_emb = nn.Embedding(ctx, d)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList([Block(d, n_head, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.tok_emb.weight                # weight tying
        nn.init.normal_(self.pos_emb.weight, std=0.02)
        self.register_buffer("mask", torch.triu(torch.ones(ctx, ctx, dtype=torch.bool), 1))

    def forward(self, idx):
        T = idx.size(1)
        x = self.drop(self.tok_emb(idx) + self.pos_emb(torch.arange(T)))
        for blk in self.blocks:
            x = blk(x, self.mask[:T, :T])
        return self.lm_head(self.ln_f(x))


def get_batch(data, bs, rng):
    ix = rng.integers(0, len(data) - CTX - 1, bs)
    x = torch.stack([data[i:i + CTX] for i in ix])
    y = torch.stack([data[i + 1:i + 1 + CTX] for i in ix])
    return x, y


@torch.no_grad()
def estimate_loss(model, data, rng, iters=10, bs=32):
    model.eval()
    losses = [F.cross_entropy(model(x).view(-1, VOCAB), y.view(-1)).item()
              for x, y in (get_batch(data, bs, rng) for _ in range(iters))]
    model.train()
    return sum(losses) / len(losses)


def main():
    torch.manual_seed(1337)
    rng = np.random.default_rng(1337)
    nxt = [rng.choice(VOCAB, 6, replace=False) for _ in range(VOCAB)]
    probs = [np.cumsum(rng.dirichlet(np.full(6, 0.5))) for _ in range(VOCAB)]
    for p in probs:
        p[-1] = 1.0
    train_data = torch.from_numpy(token_stream(300_000, rng, nxt, probs))
    val_data = torch.from_numpy(token_stream(20_000, rng, nxt, probs))

    model = MiniGPT()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    max_iters, batch_rng = 300, np.random.default_rng(0)
    for it in range(max_iters + 1):
        if it % 50 == 0:
            print(f"step {it}: train {estimate_loss(model, train_data, np.random.default_rng(1)):.4f} "
                  f"val {estimate_loss(model, val_data, np.random.default_rng(2)):.4f}")
        if it == max_iters:
            break
        x, y = get_batch(train_data, 32, batch_rng)
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, VOCAB), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    val = estimate_loss(model, val_data, np.random.default_rng(2), iters=40)
    print(f"final val_loss {val:.4f} val_ppl {math.exp(val):.2f}")


if __name__ == "__main__":
    main()
