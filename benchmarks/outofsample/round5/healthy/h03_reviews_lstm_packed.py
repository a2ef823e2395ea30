"""Sentiment of product reviews (synthetic corpus, 6000-word vocabulary) with a BiLSTM.

Reviews vary from 6 to 40 tokens. Batches come from a bucketing generator (torchtext
BucketIterator style): shuffle every epoch, sort each pool of 20 batches by length so padding is
small, then shuffle the batch order. Adam with a per-epoch cosine decay. The model takes (tokens, lengths) and packs the sequence so the
LSTM never reads padding.
"""
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence

SEED = 1234
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

VOCAB, PAD, UNK = 6000, 0, 1
rng = np.random.default_rng(SEED)

# Zipfian background vocabulary; 60 positive and 60 negative opinion words among ids 30..3000,
# plus a negator ("not", id 2, never used as background) that flips the next opinion word.
NOT = 2
ranks = np.arange(3, VOCAB)
background_p = 1.0 / (ranks - 2) ** 1.05
background_p /= background_p.sum()
opinion = rng.choice(np.arange(30, 3000), size=120, replace=False)
positive, negative = opinion[:60], opinion[60:]


def make_review():
    """A review leans one way; most opinion words agree with it. The label is the net opinion."""
    L = int(rng.integers(6, 41))
    toks = rng.choice(ranks, size=L, p=background_p)
    lean = int(rng.random() < 0.5)
    n_op = 1 + int(rng.poisson(L / 10))
    meant = np.where(rng.random(n_op) < 0.8, lean, 1 - lean)      # what each opinion means
    odd = np.arange(1, L, 2)                                       # a negator at p-1 never hits another slot
    slots = rng.choice(odd, size=min(n_op, len(odd)), replace=False)
    for p, m in zip(slots, meant):
        if rng.random() < 0.15:                                    # "not good" means bad
            toks[p - 1], toks[p] = NOT, rng.choice(negative if m else positive)
        else:
            toks[p] = rng.choice(positive if m else negative)
    net = int((2 * meant[: len(slots)] - 1).sum())
    return toks, (lean if net == 0 else int(net > 0))


data = [make_review() for _ in range(5000)]
train, val = data[:4000], data[4000:]


def to_padded(items):
    lengths = torch.tensor([len(t) for t, _ in items])
    x = torch.full((len(items), int(lengths.max())), PAD, dtype=torch.long)
    for i, (t, _) in enumerate(items):
        x[i, : len(t)] = torch.as_tensor(t)
    y = torch.tensor([lab for _, lab in items])
    return x, lengths, y


def bucket_batches(items, batch_size, shuffle=True, pool=20):
    order = list(range(len(items)))
    if shuffle:
        random.shuffle(order)
    batches = []
    for s in range(0, len(order), batch_size * pool):
        chunk = sorted(order[s:s + batch_size * pool], key=lambda i: len(items[i][0]))
        batches += [chunk[j:j + batch_size] for j in range(0, len(chunk), batch_size)]
    if shuffle:
        random.shuffle(batches)
    for b in batches:
        yield to_padded([items[i] for i in b])


class ReviewLSTM(nn.Module):
    def __init__(self, vocab, emb=48, hidden=64, n_classes=2, dropout=0.3):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True, bidirectional=True)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * hidden, n_classes)

    def forward(self, tokens, lengths):
        e = self.drop(self.emb(tokens))
        packed = pack_padded_sequence(e, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        h = torch.cat([h[-2], h[-1]], dim=1)          # last forward state, first backward state
        return self.fc(self.drop(h))


model = ReviewLSTM(VOCAB)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
EPOCHS = 7
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)


def evaluate():
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for x, lengths, y in bucket_batches(val, 250, shuffle=False):
            logits = model(x, lengths)
            loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            total += len(y)
    return loss_sum / total, correct / total


for epoch in range(1, EPOCHS + 1):
    model.train()
    tr_loss, n = 0.0, 0
    for x, lengths, y in bucket_batches(train, 64):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x, lengths), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
        tr_loss += loss.item() * len(y)
        n += len(y)
    scheduler.step()
    va_loss, va_acc = evaluate()
    print(f"epoch {epoch} train_loss {tr_loss / n:.4f} val_loss {va_loss:.4f} val_acc {va_acc:.4f}")

majority = max(np.mean([y for _, y in val]), 1 - np.mean([y for _, y in val]))
print(f"FINAL val_acc {va_acc:.4f} (majority class {majority:.3f})")
