import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor
from benchmarks.faults.casedata import wave_sequences


class WaveClassifier(nn.Module):
    def __init__(self, hidden=32, classes=6):
        super().__init__()
        self.rnn = nn.GRU(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.out(h[-1]).squeeze(-1)


def setup():
    X, y = wave_sequences(n=800, length=24, classes=6, seed=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=WaveClassifier(),
        train=(X_train, y_train.astype("float32")),
        val=(X_val, y_val.astype("float32")),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=5e-3),
        batch_size=32,
    )
