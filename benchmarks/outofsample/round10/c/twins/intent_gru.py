"""Support-ticket intent classification with a bidirectional GRU over token ids.

Tickets are generated from a Zipfian filler vocabulary plus intent keywords
(some tickets mention another intent's keyword too). Variable-length, padded with 0.
"""
import random

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

VOCAB = 600
N_INTENTS = 6
MAX_LEN = 32
PAD = 0


def make_tickets(n, rng):
    keywords = rng.choice(np.arange(1, VOCAB), size=(N_INTENTS, 10), replace=False)
    filler_p = 1.0 / np.arange(1, VOCAB) ** 1.1
    filler_p /= filler_p.sum()
    seqs = np.full((n, MAX_LEN), PAD, dtype=np.int64)
    lengths = np.zeros(n, dtype=np.int64)
    labels = rng.integers(0, N_INTENTS, size=n)
    for i in range(n):
        length = rng.integers(8, MAX_LEN + 1)
        toks = rng.choice(np.arange(1, VOCAB), size=length, p=filler_p)
        k = rng.integers(1, 3)
        pos = rng.choice(length, size=k + 1, replace=False)
        toks[pos[:k]] = rng.choice(keywords[labels[i]], size=k)
        if rng.random() < 0.35:
            other = (labels[i] + rng.integers(1, N_INTENTS)) % N_INTENTS
            toks[pos[k]] = rng.choice(keywords[other])
        seqs[i, :length] = toks
        lengths[i] = length
    return torch.from_numpy(seqs), torch.from_numpy(lengths), torch.from_numpy(labels)


class IntentGRU(nn.Module):
    def __init__(self, vocab, n_classes, emb=64, hidden=64):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.gru = nn.GRU(emb, hidden, batch_first=True, bidirectional=True)
        self.drop = nn.Dropout(0.2)
        self.out = nn.Linear(2 * hidden, n_classes)

    def forward(self, tokens, lengths):
        packed = pack_padded_sequence(self.emb(tokens), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, h = self.gru(packed)
        h = torch.cat([h[0], h[1]], dim=-1)
        return self.out(self.drop(h))


def accuracy(model, toks, lens, y, bs=512):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(y), bs):
            correct += (model(toks[i:i + bs], lens[i:i + bs]).argmax(1) == y[i:i + bs]).sum().item()
    return correct / len(y)


def main():
    random.seed(11)
    np.random.seed(11)
    torch.manual_seed(11)
    rng = np.random.default_rng(11)
    toks, lens, y = make_tickets(2500, rng)
    tr, va = slice(0, 2000), slice(2000, 2500)

    model = IntentGRU(VOCAB, N_INTENTS)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    batch_size = 64
    n_train = 2000
    for epoch in range(5):
        model.train()
        perm = torch.randperm(n_train)
        total = 0.0
        for i in range(0, n_train, batch_size):
            idx = perm[i:i + batch_size]
            logits = model(toks[tr][idx], lens[tr][idx])
            loss = criterion(logits, y[tr][idx])
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            total += loss.item() * len(idx)
        acc = accuracy(model, toks[va], lens[va], y[va])
        print(f"epoch {epoch}: train loss {total / n_train:.4f}, val acc {acc:.4f}")
    print(f"final val_acc={acc:.4f}")


if __name__ == "__main__":
    main()
