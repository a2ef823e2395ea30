import numpy as np
from sklearn.model_selection import train_test_split
import torch
from torch import nn

import nndoctor
from benchmarks.faults.casedata2 import topic_documents


class Net(nn.Module):
    def __init__(self, vocab=10000, dim=64, n_out=5):
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab, dim, mode="mean")
        self.body = nn.Sequential(nn.Linear(dim, dim), nn.ReLU())
        self.head = nn.Linear(dim, n_out)

    def forward(self, tokens):
        return self.head(self.body(self.embed(tokens)))


def setup():
    X, y = topic_documents(n=2000, length=48, vocab=10000, topics=5, seed=112)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=112, stratify=y)
    rng = np.random.default_rng(3)
    moved = rng.random(len(y_train)) < 0.2
    y_train = np.where(moved, (y_train + rng.integers(1, 5, len(y_train))) % 5, y_train)

    torch.manual_seed(0)
    model = Net()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        optimizer=lambda params: torch.optim.Adam(params, lr=0.003),
        batch_size=64,
    )
