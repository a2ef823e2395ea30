"""Small causal Transformer LM over a 10k-word vocabulary with tied input/output embeddings.

The corpus is synthetic product-search query logs: Zipf-distributed words where each word
has a handful of habitual continuations. Warm-up then cosine decay (LambdaLR, per step),
gradient-norm clipping at 1.0, AdamW with no decay on embeddings/LayerNorm/biases.
"""
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 11
V, CTX, D = 10000, 24, 64
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)


def build_corpus(n_tokens):
    ranks = np.arange(1, V + 1)
    unigram = 1.0 / ranks ** 1.05
    unigram /= unigram.sum()
    successors = rng.choice(V, size=(V, 4), p=unigram)
    succ_p = np.array([0.5, 0.25, 0.15, 0.10])
    out = np.empty(n_tokens, dtype=np.int64)
    cur = rng.choice(V, p=unigram)
    habit = rng.random(n_tokens) < 0.75
    pick = rng.choice(4, size=n_tokens, p=succ_p)
    fresh = rng.choice(V, size=n_tokens, p=unigram)
    for i in range(n_tokens):
        out[i] = cur
        cur = successors[cur, pick[i]] if habit[i] else fresh[i]
    return out, unigram


class CausalLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(V, D)
        self.pos = nn.Embedding(CTX, D)
        layer = nn.TransformerEncoderLayer(D, nhead=4, dim_feedforward=4 * D, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(D)
        self.lm_head = nn.Linear(D, V, bias=False)
        self.lm_head.weight = self.tok.weight
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(CTX), persistent=False)

    def forward(self, idx):
        T = idx.size(1)
        h = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))
        h = self.blocks(h, mask=self.mask[:T, :T], is_causal=True)
        return self.lm_head(self.norm(h))


def batches(stream, batch_size, gen):
    starts = torch.randint(0, len(stream) - CTX - 1, (batch_size,), generator=gen)
    x = torch.stack([stream[s:s + CTX] for s in starts])
    y = torch.stack([stream[s + 1:s + CTX + 1] for s in starts])
    return x, y


@torch.no_grad()
def evaluate(model, stream):
    model.eval()
    nll, count = 0.0, 0
    n_rows = (len(stream) - 1) // CTX
    xs = stream[: n_rows * CTX].view(n_rows, CTX)
    ys = stream[1: n_rows * CTX + 1].view(n_rows, CTX)
    for i in range(0, n_rows, 64):
        logits = model(xs[i:i + 64])
        nll += F.cross_entropy(logits.reshape(-1, V), ys[i:i + 64].reshape(-1), reduction="sum").item()
        count += ys[i:i + 64].numel()
    return math.exp(nll / count)


def main():
    corpus, unigram = build_corpus(160_000)
    train = torch.from_numpy(corpus[:150_000])
    val = torch.from_numpy(corpus[150_000:])
    counts = np.bincount(corpus[:150_000], minlength=V) + 0.5
    q = counts / counts.sum()
    unigram_ppl = math.exp(-np.log(q[corpus[150_000:]]).mean())

    model = CausalLM()
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.dim() < 2 or "tok" in name or "pos" in name else decay).append(p)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=4e-3, betas=(0.9, 0.98))
    steps, warmup = 300, 30

    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, steps - warmup)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    gen = torch.Generator().manual_seed(SEED)
    t0 = time.time()
    for step in range(1, steps + 1):
        model.train()
        x, y = batches(train, 24, gen)
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, V), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        if step % 150 == 0:
            print(f"step {step}  loss {loss.item():.3f}  lr {scheduler.get_last_lr()[0]:.2e}  "
                  f"val ppl {evaluate(model, val):.1f}  ({time.time() - t0:.1f}s)")
    ppl = evaluate(model, val)
    print(f"final: val perplexity {ppl:.1f} (unigram perplexity {unigram_ppl:.1f}, vocab {V})")


if __name__ == "__main__":
    main()
