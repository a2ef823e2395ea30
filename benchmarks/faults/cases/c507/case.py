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
    X, Y = topic_documents(n=1600, length=32, vocab=3000, topics=4, multilabel=True, seed=3)
    X_train, X_val, Y_train, Y_val = train_test_split(X, Y, test_size=0.25, random_state=0)

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=TopicEncoder(),
        train=(X_train, Y_train),
        val=(X_val, Y_val),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=0.01),
        batch_size=32,
    )
