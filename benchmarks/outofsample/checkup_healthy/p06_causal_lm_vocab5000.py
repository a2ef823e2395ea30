import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

import nndoctor

VOCAB = 5000


def markov_corpus(n, length, seed):
    """Token streams from a sparse random Markov chain (each token has 4 likely successors)."""
    rng = np.random.default_rng(0)
    successors = rng.integers(0, VOCAB, (VOCAB, 4))
    rng = np.random.default_rng(seed)
    seqs = np.empty((n, length + 1), dtype=np.int64)
    seqs[:, 0] = rng.integers(0, VOCAB, n)
    for t in range(1, length + 1):
        pick = rng.integers(0, 4, n)
        jump = rng.random(n) < 0.05
        nxt = successors[seqs[:, t - 1], pick]
        seqs[:, t] = np.where(jump, rng.integers(0, VOCAB, n), nxt)
    return seqs[:, :-1], seqs[:, 1:]


class TinyCausalLM(nn.Module):
    def __init__(self, vocab=VOCAB, dim=64, heads=4, layers=2, max_len=64):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(max_len, dim)
        layer = nn.TransformerEncoderLayer(dim, heads, dim * 4, dropout=0.1, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.lm_head.weight = self.tok.weight  # tied embeddings
        # GPT-2 style init of the tied embedding: with nn.Embedding's N(0, 1) default the head's logits start
        # with std ~sqrt(dim) and a loss of ~41 against ln(5000) = 8.5 (L307, a true finding)
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)

    def forward(self, ids):
        T = ids.shape[1]
        pos = torch.arange(T, device=ids.device)
        h = self.tok(ids) + self.pos(pos)
        mask = nn.Transformer.generate_square_subsequent_mask(T, device=ids.device)
        h = self.encoder(h, mask=mask, is_causal=True)
        return self.lm_head(self.norm(h))


def setup():
    X_train, y_train = markov_corpus(1500, 32, seed=41)
    X_val, y_val = markov_corpus(300, 32, seed=42)
    torch.manual_seed(6)
    return nndoctor.Setup(
        model=TinyCausalLM(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=lambda logits, targets: F.cross_entropy(logits.flatten(0, 1), targets.flatten()),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01, betas=(0.9, 0.95)),
        batch_size=32,
        task="sequence",
    )
