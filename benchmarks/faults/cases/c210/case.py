import numpy as np
from sklearn.model_selection import train_test_split
import torch
from torch import nn

import nndoctor
from benchmarks.faults.casedata import token_sequences


class Net(nn.Module):
    def __init__(self, vocab=16, length=12, dim=32, n_out=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.zeros(1, length, dim))
        layer = nn.TransformerEncoderLayer(dim, nhead=4, dim_feedforward=2 * dim, dropout=0.1, batch_first=True)
        self.body = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(dim, n_out)

    def forward(self, tokens):
        h = self.body(self.embed(tokens) + self.pos)
        return self.head(h.mean(dim=1))


def setup():
    X, y = token_sequences(n=1000, length=12, vocab=16, seed=111)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=111)

    torch.manual_seed(0)
    model = Net()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda params: torch.optim.AdamW(params, lr=0.001, weight_decay=0.01),
        batch_size=32,
    )
