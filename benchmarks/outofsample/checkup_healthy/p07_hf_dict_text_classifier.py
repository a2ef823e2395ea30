import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset

import nndoctor

VOCAB = 30000
PAD = 0


def make_reviews(n, seed, topics=4, max_len=60):
    """Variable-length token documents: each class draws 30% of its tokens from its own keyword set."""
    rng = np.random.default_rng(0)
    keywords = [rng.choice(np.arange(1, VOCAB), 300, replace=False) for _ in range(topics)]
    rng = np.random.default_rng(seed)
    docs, labels = [], rng.integers(0, topics, n)
    for lab in labels:
        length = rng.integers(12, max_len + 1)
        background = rng.integers(1, VOCAB, length)
        own = rng.choice(keywords[lab], length)
        docs.append(np.where(rng.random(length) < 0.3, own, background))
    return docs, labels


class ReviewDataset(Dataset):
    def __init__(self, docs, labels, max_len=60):
        self.docs, self.labels, self.max_len = docs, labels, max_len

    def __len__(self):
        return len(self.docs)

    def __getitem__(self, i):
        doc = self.docs[i]
        ids = np.full(self.max_len, PAD, dtype=np.int64)
        ids[: len(doc)] = doc
        mask = (ids != PAD).astype(np.int64)
        return {"input_ids": torch.from_numpy(ids), "attention_mask": torch.from_numpy(mask),
                "labels": torch.tensor(int(self.labels[i]))}


class BagClassifier(nn.Module):
    def __init__(self, vocab=VOCAB, dim=64, n_out=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.ff = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Dropout(0.2))
        self.classifier = nn.Linear(dim, n_out)

    def forward(self, input_ids, attention_mask):
        m = attention_mask.unsqueeze(-1).float()
        pooled = (self.embed(input_ids) * m).sum(1) / m.sum(1).clamp(min=1.0)
        return self.classifier(self.ff(pooled))


def setup():
    docs, labels = make_reviews(3000, seed=51)
    vdocs, vlabels = make_reviews(600, seed=52)
    torch.manual_seed(7)
    return nndoctor.Setup(
        model=BagClassifier(),
        train=ReviewDataset(docs, labels),
        val=ReviewDataset(vdocs, vlabels),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=5e-3),
        batch_size=64,
    )
