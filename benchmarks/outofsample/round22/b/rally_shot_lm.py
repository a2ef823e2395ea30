"""Next-shot model for tennis rallies (tracking-data tokens).

Each rally from the hawk-eye feed is a sequence of shot tokens
"<stroke>_<direction>_<depth>" (serve_T_deep, fh_cross_mid, bh_line_short, ...)
ending in a point-outcome token.  A small GPT-style decoder with tied input and
output embeddings predicts the next shot; the coaching app uses its per-shot
probabilities.  Reports validation cross-entropy (nats/shot) and perplexity.
"""
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(5)
np.random.seed(5)

STROKES = ["serve", "return", "fh", "bh", "fh_slice", "bh_slice", "volley", "smash", "drop", "lob"]
DIRS = ["cross", "mid", "line"]
DEPTHS = ["short", "deep"]
OUTCOMES = ["winner", "error", "ace", "double_fault"]
SHOTS = [f"{s}_{d}_{p}" for s in STROKES for d in DIRS for p in DEPTHS]
VOCAB = ["<pad>", "<bos>"] + SHOTS + OUTCOMES
stoi = {t: i for i, t in enumerate(VOCAB)}
BLOCK = 32


def simulate_rallies(n_rallies, rng, trans, habit):
    """Markov-ish rally generator with player habits (second-order structure)."""
    n_shot = len(SHOTS)
    stream = []
    for _ in range(n_rallies):
        seq = [stoi["<bos>"]]
        prev2 = None
        cur = int(rng.choice([i for i, s in enumerate(SHOTS) if s.startswith("serve")]))
        for t in range(rng.integers(2, 24)):
            seq.append(2 + cur)
            p = trans[cur] if prev2 is None else 0.6 * trans[cur] + 0.4 * habit[prev2]
            prev2, cur = cur, int(rng.choice(n_shot, p=p / p.sum()))
        seq.append(stoi[OUTCOMES[rng.integers(len(OUTCOMES))]])
        stream.extend(seq)
    return torch.tensor(stream, dtype=torch.long)


class Block(nn.Module):
    def __init__(self, d, n_head, p):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, n_head, dropout=p, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d), nn.Dropout(p))
        self.register_buffer("mask", torch.triu(torch.ones(BLOCK, BLOCK, dtype=torch.bool), 1))

    def forward(self, x):
        T = x.size(1)
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=self.mask[:T, :T], need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class ShotGPT(nn.Module):
    def __init__(self, vocab, d=64, n_layer=2, n_head=4, p=0.1):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(BLOCK, d)
        self.drop = nn.Dropout(p)
        self.blocks = nn.ModuleList([Block(d, n_head, p) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.apply(self._init_weights)
        self.head.weight = self.tok.weight          # weight tying
        nn.init.normal_(self.pos.weight, mean=0.0, std=0.02)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)

    def forward(self, idx, targets=None):
        pos = torch.arange(idx.size(1), device=idx.device)
        x = self.drop(self.tok(idx) + self.pos(pos))
        for blk in self.blocks:
            x = blk(x)
        logits = self.head(self.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))
        return logits, loss


def get_batch(data, batch_size):
    ix = torch.randint(len(data) - BLOCK - 1, (batch_size,))
    x = torch.stack([data[i:i + BLOCK] for i in ix])
    y = torch.stack([data[i + 1:i + 1 + BLOCK] for i in ix])
    return x, y


@torch.no_grad()
def evaluate(model, data, n_batches=10):
    model.eval()
    g = torch.Generator().manual_seed(0)
    losses = []
    for _ in range(n_batches):
        ix = torch.randint(len(data) - BLOCK - 1, (64,), generator=g)
        x = torch.stack([data[i:i + BLOCK] for i in ix])
        y = torch.stack([data[i + 1:i + 1 + BLOCK] for i in ix])
        losses.append(model(x, y)[1].item())
    model.train()
    return float(np.mean(losses))


def main():
    rng = np.random.default_rng(5)
    n_shot = len(SHOTS)
    trans = rng.dirichlet(np.full(n_shot, 0.08), size=(n_shot,))
    habit = rng.dirichlet(np.full(n_shot, 0.15), size=(n_shot,))
    train_data = simulate_rallies(4000, rng, trans, habit)
    val_data = simulate_rallies(600, rng, trans, habit)

    model = ShotGPT(len(VOCAB))
    max_iters, warmup, lr = 500, 40, 1.5e-3
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (decay if p.dim() >= 2 else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95))

    def lr_lambda(it):
        if it < warmup:
            return (it + 1) / warmup
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (it - warmup) / (max_iters - warmup)))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)

    t0 = time.time()
    for it in range(max_iters):
        xb, yb = get_batch(train_data, 32)
        _, loss = model(xb, yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if it % 100 == 0 or it == max_iters - 1:
            print(f"iter {it:4d} train {loss.item():.4f} val {evaluate(model, val_data):.4f} "
                  f"lr {sched.get_last_lr()[0]:.2e} ({time.time() - t0:.1f}s)")

    val = evaluate(model, val_data, n_batches=40)
    print(f"final val_loss={val:.4f} val_ppl={math.exp(val):.2f}")


if __name__ == "__main__":
    main()
