"""Checkup spec: a small causal Transformer language model over an 8,000-word vocabulary
with tied input/output embeddings, label smoothing 0.1 and AdamW with linear warm-up.
The corpus is generated from a sparse Zipfian bigram chain with topic jumps and cut into
fixed 33-token rows (inputs = row[:-1], targets = row[1:])."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import nndoctor

V, T = 8000, 32


def corpus(n_tokens, seed=0):
    rng = np.random.default_rng(seed)
    unigram = 1.0 / np.arange(1, V + 1) ** 1.1
    unigram /= unigram.sum()
    succ = rng.choice(V, size=(V, 6), p=unigram)
    cdf = rng.dirichlet(np.full(6, 0.4), size=V).cumsum(1)
    jump = rng.random(n_tokens) < 0.12
    jump_to = rng.choice(V, size=n_tokens, p=unigram)
    u = rng.random(n_tokens)
    out, w = np.empty(n_tokens, dtype=np.int64), 0
    for i in range(n_tokens):
        w = jump_to[i] if jump[i] else succ[w, min(np.searchsorted(cdf[w], u[i]), 5)]
        out[i] = w
    return torch.from_numpy(out)


class TinyLM(nn.Module):
    def __init__(self, d=96, heads=4, layers=2):
        super().__init__()
        self.emb = nn.Embedding(V, d)
        self.pos = nn.Embedding(T, d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.1, batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, V, bias=False)
        self.lm_head.weight = self.emb.weight                    # weight tying
        nn.init.normal_(self.emb.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)
        self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(T), persistent=False)

    def forward(self, idx):
        h = self.emb(idx) + self.pos(torch.arange(idx.shape[1], device=idx.device))
        h = self.blocks(h, mask=self.causal[:idx.shape[1], :idx.shape[1]], is_causal=True)
        return self.lm_head(self.norm(h))                          # (N, T, V) logits


class TokenCrossEntropy(nn.Module):
    def __init__(self, label_smoothing=0.1):
        super().__init__()
        self.label_smoothing = label_smoothing

    def forward(self, logits, targets):
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                               label_smoothing=self.label_smoothing)


def setup():
    torch.manual_seed(0)
    stream = corpus(70_000)
    rows = stream[: len(stream) // (T + 1) * (T + 1)].view(-1, T + 1)
    n_val = len(rows) // 10
    train, val = rows[:-n_val], rows[-n_val:]
    return nndoctor.Setup(
        model=TinyLM(),
        train=(train[:, :-1], train[:, 1:]),
        val=(val[:, :-1], val[:, 1:]),
        loss=TokenCrossEntropy(0.1),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, betas=(0.9, 0.98), weight_decay=0.01),
        scheduler=lambda opt, steps: torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 50)),
        batch_size=32,
        task="sequence",
    )
