"""Checkup spec: flag sequencing reads with adapter read-through (short inserts) so they are
trimmed before alignment. Input per read: one-hot bases (A, C, G, T as four 0/1 channels,
N = all zeros) and the Phred quality as a fifth channel (Q/40, centred), 64 positions.
The one-hot channels are left as 0/1 on purpose; only the quality channel is scaled.
A 1-D CNN with a dilated layer and global max pooling looks for the adapter prefix
anywhere in the read. About a quarter of reads carry adapter, so the logits loss uses
pos_weight = negatives / positives.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

ADAPTER = "AGATCGGAAGAGCACACGTCTGAACTCCAGTCA"          # TruSeq read 1 adapter
L = 64
CODE = {"A": 0, "C": 1, "G": 2, "T": 3}


def make_reads(n, rng):
    X = np.zeros((n, 5, L), dtype=np.float32)
    y = np.zeros((n, 1), dtype=np.float32)
    for i in range(n):
        gc = rng.uniform(0.35, 0.65)
        p = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
        seq = list(rng.choice(list("ACGT"), size=L, p=p))
        insert = rng.integers(40, L + 1) if rng.random() < 0.3 else rng.integers(L + 1, 400)
        has_adapter = insert <= L - 4                     # at least 4 adapter bases in the read
        if insert < L:
            tail = ADAPTER[:L - insert]
            seq[insert:insert + len(tail)] = list(tail)
        q = np.clip(38 - 0.4 * np.arange(L) * rng.uniform(0.2, 1.2) + rng.normal(0, 3, L), 2, 41)
        for j in range(L):
            if rng.random() < 0.02 + 0.3 * (q[j] < 12):   # sequencing errors where quality is low
                seq[j] = rng.choice(list("ACGT"))
            if q[j] < 5 and rng.random() < 0.5:
                seq[j] = "N"
        for j, b in enumerate(seq):
            if b != "N":
                X[i, CODE[b], j] = 1.0
        X[i, 4] = q / 40.0 - 0.6
        y[i, 0] = float(has_adapter)
    return X, y


class ReadCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(5, 48, 9, padding=4), nn.ReLU(),
            nn.Conv1d(48, 48, 5, padding=4, dilation=2), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(48, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.head(self.net(x).amax(2))


def setup():
    rng = np.random.default_rng(64)
    torch.manual_seed(64)
    X, y = make_reads(3000, rng)
    Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]
    pos = ytr.mean()
    return nndoctor.Setup(
        model=ReadCNN(),
        train=(torch.tensor(Xtr), torch.tensor(ytr)),
        val=(torch.tensor(Xva), torch.tensor(yva)),
        loss=nn.BCEWithLogitsLoss(pos_weight=torch.tensor([(1 - pos) / pos])),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=64,
    )
