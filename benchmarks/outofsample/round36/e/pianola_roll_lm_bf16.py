"""Next-event model for digitised player-piano (pianola) rolls.

Rolls are read as token streams: note-on pitches (relative to the roll's key), holes held,
bar lines and rests. Tunes have phrase structure (AABA, repeated motifs, sequences moved up a
step), which a small causal transformer can exploit. Weights of the embedding and the output
projection are tied; forward runs under bfloat16 autocast on CPU; AdamW with linear warm-up
then cosine decay, gradient clipping, weight decay off for norms/biases/embeddings.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(5)
rng = np.random.default_rng(5)

PITCHES = 25                       # two octaves relative to the key
REST, HOLD, BAR, BOS = 25, 26, 27, 28
V, T = 29, 48
SCALE = [0, 2, 4, 5, 7, 9, 11, 12, 14, 16, 17, 19, 21, 23, 24]


def make_figure():
    deg = int(rng.integers(0, 6))
    out = []
    for _ in range(int(rng.integers(3, 6))):
        deg = int(np.clip(deg + rng.choice([-2, -1, -1, 0, 1, 1, 2, 3]), 0, 8))
        out.append(deg)
        out += [-1] * int(rng.choice([0, 0, 1, 2]))
    return out


FIGURES = [make_figure() for _ in range(14)]   # the arranger's stock figures


def motif():
    fig = FIGURES[rng.integers(len(FIGURES))]
    shift = int(rng.choice([0, 0, 0, 4]))
    return [HOLD if d < 0 else SCALE[d + shift] for d in fig]


def tune():
    a, b = motif() + motif(), motif() + motif()
    up = [min(p + 2, 24) if p < PITCHES else p for p in a]   # sequence a step up
    form = [a, a, b, up] if rng.random() < 0.6 else [a, b, a, b]
    toks = [BOS]
    for phrase in form:
        toks += phrase + ([REST] if rng.random() < 0.3 else []) + [BAR]
    while len(toks) < T + 1:
        toks += a + [BAR]
    return toks[: T + 1]


def corpus(n):
    return torch.tensor([tune() for _ in range(n)], dtype=torch.long)


train, val = corpus(1000), corpus(250)


class Roll(nn.Module):
    def __init__(self, d=48, layers=2, heads=4):
        super().__init__()
        self.tok = nn.Embedding(V, d)
        self.pos = nn.Embedding(T, d)
        layer = nn.TransformerEncoderLayer(d, heads, 3 * d, dropout=0.1, batch_first=True, norm_first=True,
                                           activation="gelu")
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, V, bias=False)
        self.out.weight = self.tok.weight           # tied
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(T), persistent=False)

    def forward(self, x):
        t = x.shape[1]
        h = self.tok(x) + self.pos(torch.arange(t, device=x.device))
        h = self.blocks(h, mask=self.mask[:t, :t], is_causal=True)
        return self.out(self.norm(h))


model = Roll()
decay, no_decay = [], []
for n, p in model.named_parameters():
    (decay if p.dim() >= 2 and "tok" not in n and "pos" not in n else no_decay).append(p)
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                        lr=3e-3, betas=(0.9, 0.95))
EPOCHS, BS = 6, 16
steps = EPOCHS * math.ceil(len(train) / BS)
warm = steps // 10
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (steps - warm))))


def val_loss():
    model.eval()
    tot, n = 0.0, 0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for i in range(0, len(val), 100):
            b = val[i:i + 100]
            logits = model(b[:, :-1])
            tot += F.cross_entropy(logits.float().reshape(-1, V), b[:, 1:].reshape(-1), reduction="sum").item()
            n += b[:, 1:].numel()
    model.train()
    return tot / n


counts = torch.bincount(train[:, 1:].reshape(-1), minlength=V).float() + 1
unigram = -(counts / counts.sum() * torch.log(counts / counts.sum())).sum().item()
print(f"unigram cross-entropy {unigram:.3f} nats (ppl {math.exp(unigram):.2f})")
for epoch in range(EPOCHS):
    perm = torch.randperm(len(train))
    for i in range(0, len(train), BS):
        b = train[perm[i:i + BS]]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(b[:, :-1])
        loss = F.cross_entropy(logits.float().reshape(-1, V), b[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    vl = val_loss()
    print(f"epoch {epoch + 1} train {loss.item():.3f} val {vl:.3f} ppl {math.exp(vl):.2f}")
print(f"final val perplexity {math.exp(vl):.2f} vs unigram {math.exp(unigram):.2f}")
