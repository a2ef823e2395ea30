"""Small decoder-only LM over maintenance-log sentences (word level).

Pre-LN transformer blocks, output projection tied to the token embedding,
AdamW with linear warm-up then cosine decay (LambdaLR), perplexity on held-out logs.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)
rng = np.random.default_rng(1234)

# ---------------------------------------------------------------- corpus
units = [f"unit{i}" for i in range(40)]
parts = ["pump", "valve", "bearing", "seal", "motor", "filter", "belt", "sensor", "gasket", "fan",
         "compressor", "relay", "hose", "coupling", "gearbox", "impeller"]
faults = ["leaking", "overheating", "vibrating", "worn", "cracked", "noisy", "clogged", "loose", "corroded"]
actions = ["replaced", "tightened", "cleaned", "inspected", "lubricated", "recalibrated", "reset", "adjusted"]
shifts = ["morning", "evening", "night"]
techs = [f"tech{i}" for i in range(25)]
fix_for = {f: rng.choice(len(actions), 2, replace=False) for f in faults}


def sentence():
    u, p, f = rng.choice(units), rng.choice(parts), rng.choice(faults)
    a = actions[rng.choice(fix_for[f])]
    t, s = rng.choice(techs), rng.choice(shifts)
    hours = int(rng.integers(1, 9))
    forms = [
        f"{u} {p} {f} during {s} shift , {t} {a} {p} in {hours} hours .",
        f"{t} reports {p} {f} on {u} ; {p} {a} .",
        f"{s} check : {u} {p} ok , no action .",
    ]
    return forms[rng.choice(3, p=[0.5, 0.35, 0.15])]


text = " ".join(sentence() for _ in range(9000)).split()
vocab = sorted(set(text) | {str(h) for h in range(1, 9)})
stoi = {w: i for i, w in enumerate(vocab)}
ids = torch.tensor([stoi[w] for w in text])
split = int(0.9 * len(ids))
train_ids, val_ids = ids[:split], ids[split:]
V, T = len(vocab), 32


def batch(src, bs):
    ix = torch.randint(len(src) - T - 1, (bs,))
    x = torch.stack([src[i:i + T] for i in ix])
    y = torch.stack([src[i + 1:i + T + 1] for i in ix])
    return x, y


# ---------------------------------------------------------------- model
class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, h, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, mask):
        a = self.ln1(x)
        x = x + self.attn(a, a, a, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self, vocab_size, d=64, heads=4, layers=2, block=T):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, d)
        self.pos = nn.Embedding(block, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)
        self.register_buffer("mask", torch.triu(torch.full((block, block), float("-inf")), 1))
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, x):
        t = x.shape[1]
        h = self.tok(x) + self.pos(torch.arange(t))
        for blk in self.blocks:
            h = blk(h, self.mask[:t, :t])
        return self.ln_f(h) @ self.tok.weight.T      # tied output projection


model = TinyGPT(V)
steps, warmup = 400, 40
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.05, betas=(0.9, 0.95))
sched = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup else
    0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (s - warmup) / (steps - warmup))))


@torch.no_grad()
def val_loss(n=8):
    model.eval()
    g = torch.Generator().manual_seed(0)
    tot = 0.0
    for _ in range(n):
        ix = torch.randint(len(val_ids) - T - 1, (64,), generator=g)
        x = torch.stack([val_ids[i:i + T] for i in ix])
        y = torch.stack([val_ids[i + 1:i + T + 1] for i in ix])
        tot += F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1)).item()
    model.train()
    return tot / n


print(f"vocab {V}  train tokens {len(train_ids)}  ln(V) {math.log(V):.3f}")
for step in range(steps):
    x, y = batch(train_ids, 32)
    logits = model(x)
    loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    sched.step()
    if step % 100 == 0 or step == steps - 1:
        vl = val_loss()
        print(f"step {step:4d}  train_loss {loss.item():.4f}  val_loss {vl:.4f}  val_ppl {math.exp(vl):.2f}")

vl = val_loss(16)
print(f"final val_loss {vl:.4f} val_ppl {math.exp(vl):.3f}")
