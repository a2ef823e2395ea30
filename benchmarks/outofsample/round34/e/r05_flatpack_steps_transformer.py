"""Furniture type from the step sequence of a flat-pack assembly manual.

Manuals are tokenised into step tokens (part ids, fasteners, actions).  Most tokens are
generic (screws, dowels, "tighten"); what tells a wardrobe from a bookcase is a few
characteristic sub-sequences, and two pairs of product lines use the same parts in a
different order (a dresser fits runners before the carcass back, a desk after it).
A bag of tokens cannot separate those pairs; order matters.

Pre-LN Transformer encoder with a padding mask, masked mean pooling, label smoothing,
and the Noam-style schedule: linear warm-up, then inverse-square-root decay.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.linear_model import LogisticRegression

torch.manual_seed(21)
np.random.seed(21)
rng = np.random.default_rng(21)

VOCAB, PAD, MAX_LEN, N_CLASSES = 240, 0, 40, 5
generic = np.arange(1, 200)
zipf = 1.0 / np.arange(1, len(generic) + 1) ** 1.1
zipf /= zipf.sum()
shared_a, shared_b = [200, 201, 202], [203, 204, 205]
MOTIFS = {
    0: [shared_a, [206, 207]],
    1: [shared_a[::-1], [206, 207]],
    2: [shared_b, [208, 209, 210]],
    3: [shared_b[::-1], [208, 209, 210]],
    4: [[211, 212, 213], [214, 215]],
}


def manual(cls):
    n = rng.integers(16, MAX_LEN - 4)
    seq = list(rng.choice(generic, size=n, p=zipf))
    for motif in MOTIFS[cls]:
        # motif tokens keep their order but are spread out between generic steps
        pos = np.sort(rng.choice(np.arange(len(seq) + 1), size=len(motif), replace=False))
        for k, (p, tok) in enumerate(zip(pos, motif)):
            seq.insert(p + k, tok)
    if rng.random() < 0.15:                          # some manuals share a decoy part
        seq.insert(rng.integers(0, len(seq)), rng.choice(shared_a + shared_b))
    seq = seq[:MAX_LEN]
    return seq + [PAD] * (MAX_LEN - len(seq))


def make(n):
    y = rng.integers(0, N_CLASSES, n)
    return np.array([manual(c) for c in y], dtype=np.int64), y


Xtr, ytr = make(1500)
Xva, yva = make(500)
Xte, yte = make(800)


class StepEncoder(nn.Module):
    def __init__(self, d_model=48, nhead=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d_model, padding_idx=PAD)
        self.pos = nn.Embedding(MAX_LEN, d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=96, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.cls = nn.Linear(d_model, N_CLASSES)

    def forward(self, ids):
        pad = ids == PAD
        h = self.tok(ids) + self.pos(torch.arange(ids.size(1)))
        h = self.norm(self.encoder(h, src_key_padding_mask=pad))
        keep = (~pad).unsqueeze(-1).float()
        return self.cls((h * keep).sum(1) / keep.sum(1))


train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=48, shuffle=True)
model = StepEncoder()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, betas=(0.9, 0.98), weight_decay=0.01)
warmup = 60
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: min((s + 1) / warmup, math.sqrt(warmup / (s + 1))))
criterion = nn.CrossEntropyLoss(label_smoothing=0.05)


@torch.no_grad()
def evaluate(X, y):
    model.eval()
    logits = model(torch.from_numpy(X))
    yt = torch.from_numpy(y)
    return F.cross_entropy(logits, yt).item(), (logits.argmax(1) == yt).float().mean().item()


for epoch in range(10):
    model.train()
    total = 0.0
    for ids, labels in train_loader:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(ids), labels)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(ids)
    vl, va = evaluate(Xva, yva)
    print(f"epoch {epoch + 1:2d} lr {scheduler.get_last_lr()[0]:.2e} train {total / len(Xtr):.3f} val loss {vl:.3f} val acc {va:.3f}")

bow = lambda X: np.stack([np.bincount(r[r != PAD], minlength=VOCAB) for r in X])
base = LogisticRegression(max_iter=2000, C=0.5).fit(bow(Xtr), ytr)
print(f"baseline bag-of-tokens logistic regression: test acc {base.score(bow(Xte), yte):.3f}")
print(f"final transformer test acc: {evaluate(Xte, yte)[1]:.3f}")
