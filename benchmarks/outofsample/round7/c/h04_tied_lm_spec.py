"""Checkup spec: a 2-layer causal Transformer LM with tied input/output embeddings.

Corpus: token streams from a sparse random "grammar" (each token has a handful of likely
successors, plus bracket-like pairs that must be closed), vocabulary 64, windows of 32.
The output projection shares its weight with the token embedding (Press & Wolf, 2017),
GPT-2 style: small normal init (std 0.02) for the shared table and the positions.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import nndoctor

VOCAB, CTX, D_MODEL = 64, 32, 96


def make_corpus(n_tokens=60_000, seed=0):
    rng = np.random.default_rng(seed)
    succ = rng.integers(4, VOCAB, size=(VOCAB, 4))          # each token: 4 likely successors
    probs = np.array([0.55, 0.25, 0.12, 0.08])
    stream, stack = [], []
    tok = 4
    for _ in range(n_tokens):
        r = rng.random()
        if r < 0.06:                                         # open a bracket (tokens 0/1)
            kind = int(rng.integers(0, 2)); stack.append(kind); tok = kind
        elif r < 0.12 and stack:                             # close the innermost one (2/3)
            tok = 2 + stack.pop()
        else:
            tok = int(succ[tok, rng.choice(4, p=probs)]) if tok >= 4 else int(rng.integers(4, VOCAB))
        stream.append(tok)
    return torch.tensor(stream, dtype=torch.long)


def windows(stream, ctx=CTX):
    n = (len(stream) - 1) // ctx
    x = stream[: n * ctx].view(n, ctx)
    y = stream[1: n * ctx + 1].view(n, ctx)
    return x, y


class TiedLM(nn.Module):
    def __init__(self, vocab=VOCAB, d=D_MODEL, layers=2, heads=4, ctx=CTX):
        super().__init__()
        self.d = d
        self.tok = nn.Embedding(vocab, d)
        nn.init.normal_(self.tok.weight, std=0.02)
        self.pos = nn.Parameter(torch.zeros(ctx, d))
        nn.init.normal_(self.pos, std=0.02)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=4 * d, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.tok.weight                   # weight tying
        self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(ctx), persistent=False)

    def forward(self, idx):
        t = idx.shape[1]
        h = self.tok(idx) + self.pos[:t]
        h = self.blocks(h, mask=self.causal[:t, :t], is_causal=True)
        return self.head(self.norm(h))


def lm_loss(logits, targets):
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))


def setup():
    torch.manual_seed(0)
    stream = make_corpus()
    split = int(0.9 * len(stream))
    x_tr, y_tr = windows(stream[:split])
    x_va, y_va = windows(stream[split:])
    return nndoctor.Setup(
        model=TiedLM(),
        train=(x_tr, y_tr),
        val=(x_va, y_va),
        loss=lm_loss,
        optimizer=lambda p: torch.optim.AdamW(p, lr=3e-3, betas=(0.9, 0.98), weight_decay=0.01),
        batch_size=32,
        name="tied-embedding-lm",
    )
