"""Assign peptide fragments to one of four functional families from their amino-acid sequence.

Families are defined by PROSITE-like motifs with wildcards (e.g. C-x(2)-C-x(3)-[LIVM]-x-H)
planted at random positions in background sequences drawn from natural amino-acid
frequencies; decoy motif fragments appear in every family. A convolutional k-mer stem feeds a small pre-LN
transformer encoder with a [CLS] token, linear warm-up then linear decay, label smoothing and gradient
clipping.
"""
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 17
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

AA = "ACDEFGHIKLMNPQRSTVWY"
FREQ = np.array([8.3, 1.4, 5.5, 6.8, 3.9, 7.1, 2.3, 5.9, 5.8, 9.7,
                 2.4, 4.1, 4.7, 3.9, 5.4, 6.6, 5.3, 6.9, 1.1, 2.9])
FREQ /= FREQ.sum()
LEN = 40
PAD, CLS = 0, 1                                    # amino acids are ids 2..21
MOTIFS = [
    ["C", "*", "*", "C", "*", "*", "*", "LIVM", "*", "H"],   # zinc-finger-like
    ["G", "*", "G", "*", "*", "G", "K", "ST"],                 # P-loop-like
    ["N", "*", "ST", "*", "*", "W", "*", "*", "DE"],          # glycosylation + W box
    ["R", "G", "D", "*", "*", "FY", "*", "FY"],                # adhesion-like
]


def sample(family):
    seq = list(rng.choice(list(AA), LEN, p=FREQ))
    motif = MOTIFS[family]
    start = rng.integers(0, LEN - len(motif))
    for k, slot in enumerate(motif):
        if slot != "*":
            seq[start + k] = rng.choice(list(slot))
    decoy = MOTIFS[rng.integers(0, 4)][:4]               # partial motifs carry no label
    d = rng.integers(0, LEN - 4)
    for k, slot in enumerate(decoy):
        if slot != "*":
            seq[d + k] = rng.choice(list(slot))
    return [CLS] + [AA.index(a) + 2 for a in seq]


def make(n):
    y = rng.integers(0, len(MOTIFS), n)
    X = torch.tensor([sample(int(f)) for f in y])
    return X, torch.from_numpy(y)


X_tr, y_tr = make(2000)
X_va, y_va = make(600)
train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=48, shuffle=True)
val_loader = DataLoader(TensorDataset(X_va, y_va), batch_size=400)


class MotifTransformer(nn.Module):
    def __init__(self, vocab=22, d=32, heads=4, layers=2, n_classes=4):
        super().__init__()
        self.tok = nn.Embedding(vocab, d, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(1, LEN + 1, d) * 0.02)
        self.local = nn.Conv1d(d, d, kernel_size=5, padding=2)       # k-mer features
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=2 * d, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, n_classes)

    def forward(self, ids):
        h = self.tok(ids)
        h = h + torch.relu(self.local(h.transpose(1, 2))).transpose(1, 2)
        h = self.encoder(h + self.pos[:, : ids.shape[1]])
        return self.head(self.norm(h[:, 0]))


model = MotifTransformer()
EPOCHS = 8
total_steps = EPOCHS * len(train_loader)
warmup = int(0.1 * total_steps)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, betas=(0.9, 0.98), weight_decay=0.01)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (total_steps - s) / (total_steps - warmup)))
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

for epoch in range(1, EPOCHS + 1):
    model.train()
    for ids, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(ids), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
    model.eval()
    correct, nll = 0, 0.0
    with torch.no_grad():
        for ids, y in val_loader:
            logits = model(ids)
            nll += nn.functional.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
    if epoch % 2 == 0:
        print(f"epoch {epoch:2d}  lr {scheduler.get_last_lr()[0]:.2e}  train loss {loss.item():.3f}  "
              f"val nll {nll / len(y_va):.3f}  val acc {correct / len(y_va):.4f}")

print(f"final: val accuracy {correct / len(y_va):.4f}  val nll {nll / len(y_va):.4f}")
