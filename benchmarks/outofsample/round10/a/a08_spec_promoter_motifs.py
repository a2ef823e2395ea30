"""Which transcription-factor motif (if any) a 80-bp DNA window carries: token-level CNN over
A/C/G/T ids with an embedding, motif scanning convolutions and global max pooling."""
import numpy as np
import torch
from torch import nn
import nndoctor

MOTIFS = ["TATAAA", "CACGTG", "GGGCGG", "TGACTCA"]
L = 80


class MotifScanner(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.embed = nn.Embedding(4, 8)
        self.conv = nn.Conv1d(8, 48, kernel_size=9, padding=4)
        self.conv2 = nn.Conv1d(48, 48, kernel_size=5, padding=2)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(48, n_classes)

    def forward(self, tokens):
        h = self.embed(tokens).transpose(1, 2)
        h = torch.relu(self.conv(h))
        h = torch.relu(self.conv2(h))
        return self.fc(self.drop(h.amax(dim=2)))


def _windows(n, rng):
    lut = {c: i for i, c in enumerate("ACGT")}
    X = rng.choice(4, size=(n, L), p=[0.3, 0.2, 0.2, 0.3])
    y = rng.integers(0, len(MOTIFS) + 1, size=n)            # last class: no motif
    for i, c in enumerate(y):
        if c < len(MOTIFS):
            m = [lut[ch] for ch in MOTIFS[c]]
            if rng.random() < 0.1:                           # one mismatch now and then
                m[rng.integers(len(m))] = rng.integers(4)
            s = rng.integers(0, L - len(m))
            X[i, s:s + len(m)] = m
    return torch.from_numpy(X.astype(np.int64)), torch.from_numpy(y)


def setup():
    torch.manual_seed(13)
    rng = np.random.default_rng(13)
    Xtr, ytr = _windows(4000, rng)
    Xva, yva = _windows(600, rng)
    return nndoctor.Setup(
        model=MotifScanner(len(MOTIFS) + 1),
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, eps=1.0),
        batch_size=64,
    )
