import numpy as np
from sklearn.model_selection import train_test_split
import torch
from torch import nn

import nndoctor
from benchmarks.faults.casedata import wave_sequences


class Net(nn.Module):
    def __init__(self, n_in=1, hidden=64, n_out=6):
        super().__init__()
        self.body = nn.LSTM(n_in, hidden, num_layers=1, batch_first=True)
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        _, (h, _) = self.body(x)
        return self.head(h[-1])


def setup():
    X, y = wave_sequences(n=1200, length=24, classes=6, seed=109)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=109, stratify=y)

    torch.manual_seed(0)
    model = Net()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        optimizer=lambda params: torch.optim.AdamW(params, lr=0.003, weight_decay=0.01),
        batch_size=32,
    )
