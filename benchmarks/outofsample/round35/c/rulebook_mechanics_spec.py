"""Board-game rulebooks: tag each rules paragraph with the mechanics it describes.

Paragraphs from publishers' rulebooks are tokenised (hashed word pieces, vocabulary 600,
padded to 40 tokens). A paragraph can describe several mechanics at once ("draft a card,
then place a worker on its action space"), so each row has a multi-hot target over eight
mechanics. Model: token embeddings, masked mean pooling, a small MLP.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

MECHANICS = ["worker_placement", "deck_building", "dice_rolling", "area_control",
             "tile_laying", "drafting", "trading", "hidden_roles"]
VOCAB, SEQ, PAD = 600, 40, 0


def make_paragraphs(n, rng):
    k = len(MECHANICS)
    keywords = {m: np.arange(10 + 25 * m, 10 + 25 * m + 18) for m in range(k)}
    general = np.arange(220, VOCAB)
    prior = np.array([0.30, 0.22, 0.35, 0.25, 0.18, 0.20, 0.15, 0.10])
    ids = np.zeros((n, SEQ), dtype=np.int64)
    Y = np.zeros((n, k), dtype=np.float32)
    for i in range(n):
        tags = rng.random(k) < prior
        if not tags.any():
            tags[rng.integers(k)] = True
        Y[i] = tags
        words = list(rng.choice(general, size=rng.integers(12, 26)))
        for m in np.flatnonzero(tags):
            for _ in range(rng.integers(1, 4)):
                words.insert(rng.integers(0, len(words) + 1), rng.choice(keywords[m]))
        words = words[:SEQ]
        ids[i, :len(words)] = words
    return torch.from_numpy(ids), torch.from_numpy(Y)


class ParagraphTagger(nn.Module):
    def __init__(self, vocab, dim, n_tags):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.mlp = nn.Sequential(nn.Linear(dim, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, n_tags))

    def forward(self, ids):
        mask = (ids != PAD).unsqueeze(-1).float()
        pooled = (self.emb(ids) * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.mlp(pooled)


def setup():
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    ids, Y = make_paragraphs(2000, rng)
    model = ParagraphTagger(VOCAB, 64, len(MECHANICS))
    return nndoctor.Setup(
        model=model,
        train=(ids[:1600], Y[:1600]),
        val=(ids[1600:], Y[1600:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-4),
        batch_size=32,
    )

