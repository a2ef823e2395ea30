"""Checkup spec: topic classification of variable-length token sequences (8..40 tokens,
right-padded with id 0) by a small Transformer encoder. The model builds its own
src_key_padding_mask from the pad id and mean-pools over real tokens only; pre-LN encoder
layers, AdamW. Each sequence mixes words of its topic with shared filler words."""
import numpy as np
import torch
from torch import nn

import nndoctor

PAD, VOCAB, T, N_TOPICS = 0, 400, 40, 5


class TopicTransformer(nn.Module):
    def __init__(self, d_model=32, nhead=4, layers=1, n_classes=N_TOPICS):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d_model, padding_idx=PAD)
        self.pos = nn.Parameter(torch.zeros(1, T, d_model))
        nn.init.normal_(self.pos, std=0.02)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2 * d_model, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, n_classes)

    def forward(self, ids):
        pad = ids == PAD                                   # True where padded
        h = self.tok(ids) + self.pos[:, :ids.shape[1]]
        h = self.norm(self.encoder(h, src_key_padding_mask=pad))
        keep = (~pad).unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1).clamp_min(1.0)
        return self.head(pooled)


def make_docs(n, rng):
    topic_words = np.arange(1, 1 + N_TOPICS * 50).reshape(N_TOPICS, 50)   # 50 words per topic
    filler = np.arange(1 + N_TOPICS * 50, VOCAB)
    ids = np.zeros((n, T), np.int64)
    y = rng.integers(0, N_TOPICS, n)
    for i in range(n):
        length = rng.integers(8, T + 1)
        share = rng.uniform(0.3, 0.5)
        words = np.where(rng.random(length) < share, rng.choice(topic_words[y[i]], length), rng.choice(filler, length))
        # a few off-topic words from another topic, as in real documents
        off = rng.random(length) < 0.08
        words[off] = rng.choice(topic_words[(y[i] + rng.integers(1, N_TOPICS)) % N_TOPICS], off.sum())
        ids[i, :length] = words
    return torch.from_numpy(ids), torch.from_numpy(y)


def setup():
    rng = np.random.default_rng(8)
    X, y = make_docs(3000, rng)
    torch.manual_seed(8)
    return nndoctor.Setup(
        model=TopicTransformer(),
        train=(X[:2400], y[:2400]),
        val=(X[2400:], y[2400:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=5e-2),
        batch_size=48,
    )
