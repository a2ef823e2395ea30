"""Predict which defect a tapestry-loom pick program will produce, from its pick codes.

A pick program is a sequence of codes (weft colour x shed pattern x beater setting).
Weavers' review labels: 0 clean, 1 long floats, 2 weft bubbling, 3 colour ghosting.
Each pick code carries a tension family; a defect follows a run of three picks of one risky
family somewhere in an otherwise ordinary program.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import nndoctor

VOCAB, SEQ, PAD = 160, 48, 0


def pick_programs(n, seed):
    rng = np.random.default_rng(seed)
    # every pick code belongs to a tension family: 0 ordinary, 1-3 the risky ones
    family = np.random.default_rng(99).choice(4, VOCAB, p=[0.82, 0.06, 0.06, 0.06])
    family[PAD] = -1
    by_family = [np.flatnonzero(family == f) for f in range(4)]
    y = rng.choice(4, n, p=[0.4, 0.2, 0.2, 0.2])
    X = np.full((n, SEQ), PAD)
    for i in range(n):
        length = int(rng.integers(32, SEQ + 1))
        fam = np.where(rng.random(length) < 0.88, 0, rng.integers(1, 4, length))
        for j in range(2, length):          # no accidental run of three risky picks
            if fam[j] and fam[j] == fam[j - 1] == fam[j - 2]:
                fam[j] = 0
        k = int(y[i])
        if k:
            p = int(rng.integers(0, length - 3))
            fam[p:p + 3] = k
            fam[max(p - 1, 0)] = 0 if p else fam[0]
            if p + 3 < length:
                fam[p + 3] = 0
        X[i, :length] = [rng.choice(by_family[f]) for f in fam]
    return torch.from_numpy(X.astype(np.int64)), torch.from_numpy(y.astype(np.int64))


class PickCNN(nn.Module):
    def __init__(self, vocab=VOCAB, dim=8, ch=64, n_classes=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.conv1 = nn.Conv1d(dim, ch, 3, padding=1)
        self.conv2 = nn.Conv1d(ch, ch, 3, padding=1)
        self.out = nn.Linear(ch, n_classes)

    def forward(self, picks):
        x = F.embedding(picks, self.embed.weight.data, padding_idx=PAD)
        x = F.relu(self.conv1(x.transpose(1, 2)))
        x = F.relu(self.conv2(x))
        x = x.masked_fill((picks == PAD).unsqueeze(1), 0.0).amax(dim=2)
        return self.out(x)


def setup():
    torch.manual_seed(5)
    X, y = pick_programs(4000, seed=21)
    return nndoctor.Setup(
        model=PickCNN(),
        train=(X[:3200], y[:3200]),
        val=(X[3200:], y[3200:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
