"""Checkup spec: fastText-style ticket router (Joulin et al. 2016). Unigrams and bigrams are
hashed into 2^17 buckets (index 0 is padding), averaged by an EmbeddingBag and classified by a
linear layer. Most buckets are never hit by the training tickets; that is the hashing trick.
"""
import zlib

import numpy as np
import torch
import torch.nn as nn

import nndoctor

BUCKETS, MAXLEN, N_CLASSES = 2 ** 17, 96, 5


def make_tickets(n, rng):
    common = [f"w{i}" for i in range(3000)]
    topical = [[f"t{c}_{i}" for i in range(150)] for c in range(N_CLASSES)]
    shared = [f"s{i}" for i in range(100)]                  # jargon shared by classes 0-2
    docs, labels = [], rng.integers(0, N_CLASSES, n)
    for c in labels:
        words = []
        for _ in range(rng.integers(15, 45)):
            r = rng.random()
            if r < 0.12:
                words.append(topical[c][min(int(rng.zipf(1.3)) - 1, 149)])
            elif r < 0.2 and c < 3:
                words.append(shared[rng.integers(100)])
            else:
                words.append(common[min(int(rng.zipf(1.2)) - 1, 2999)])
        docs.append(words)
    return docs, labels


def hash_features(doc):
    grams = doc + [a + " " + b for a, b in zip(doc, doc[1:])]
    ids = [1 + zlib.crc32(g.encode()) % (BUCKETS - 1) for g in grams][:MAXLEN]
    return ids + [0] * (MAXLEN - len(ids))


class FastText(nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.emb = nn.EmbeddingBag(BUCKETS, dim, mode="mean", padding_idx=0)
        self.fc = nn.Linear(dim, N_CLASSES)
        nn.init.uniform_(self.emb.weight, -1.0 / dim, 1.0 / dim)

    def forward(self, ids):
        return self.fc(self.emb(ids))


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    docs, y = make_tickets(5000, rng)
    X = torch.tensor([hash_features(d) for d in docs])
    y = torch.as_tensor(y)
    return nndoctor.Setup(
        model=FastText(),
        train=(X[:4000], y[:4000]),
        val=(X[4000:], y[4000:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=5e-3),
        batch_size=64,
    )


if __name__ == "__main__":
    import types
    nndoctor.Setup = lambda **kw: types.SimpleNamespace(**kw)
    s = setup()
    (Xtr, ytr), (Xva, yva) = s.train, s.val
    opt = s.optimizer(s.model.parameters())
    g = torch.Generator().manual_seed(0)
    for epoch in range(5):
        s.model.train()
        for idx in torch.randperm(len(Xtr), generator=g).split(s.batch_size):
            opt.zero_grad()
            s.loss(s.model(Xtr[idx]), ytr[idx]).backward()
            opt.step()
        s.model.eval()
        with torch.no_grad():
            acc = (s.model(Xva).argmax(1) == yva).float().mean().item()
        print(f"epoch {epoch + 1} val_acc {acc:.4f}")
    used = (Xtr.unique() > 0).sum().item()
    print(f"final val_acc {acc:.4f} ({used} of {BUCKETS} buckets hit in training)")
