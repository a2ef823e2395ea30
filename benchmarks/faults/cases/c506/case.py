import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor
from benchmarks.faults.casedata_dml import topic_documents


class TopicEncoder(nn.Module):
    def __init__(self, vocab=3000, dim=32, classes=4, length=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.position = nn.Parameter(torch.zeros(1, length, dim))
        layer = nn.TransformerEncoderLayer(dim, nhead=2, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=1)
        self.head = nn.Linear(dim, classes)

    def forward(self, tokens):
        h = self.encoder(self.embed(tokens) + self.position)
        return self.head(h.mean(dim=1))


def setup():
    X, y = topic_documents(n=2400, length=32, vocab=3000, topics=4, share=0.15, weights=[0.94, 0.02, 0.02, 0.02], seed=2)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

    counts = np.bincount(y_train, minlength=4)
    weight = torch.tensor(len(y_train) / (4 * counts), dtype=torch.float32)

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=TopicEncoder(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(weight=weight),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=0.01),
        batch_size=32,
    )
