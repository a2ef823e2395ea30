import numpy as np
from sklearn.model_selection import train_test_split
import torch
from torch import nn

import nndoctor
from benchmarks.faults.casedata2 import topic_documents


class Net(nn.Module):
    def __init__(self, vocab=10000, length=48, dim=32, n_out=5):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.zeros(1, length, dim))
        layer = nn.TransformerEncoderLayer(dim, nhead=4, dim_feedforward=2 * dim, dropout=0.0, batch_first=True)
        self.body = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(dim, n_out)

    def forward(self, tokens):
        h = self.body(self.embed(tokens) + self.pos)
        return self.head(h.mean(dim=1))


def setup():
    X, y = topic_documents(n=2000, length=48, vocab=10000, topics=5, seed=113)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=113, stratify=y)

    torch.manual_seed(0)
    model = Net()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        optimizer=lambda params: torch.optim.AdamW(params, lr=0.002, weight_decay=0.01),
        batch_size=64,
    )
