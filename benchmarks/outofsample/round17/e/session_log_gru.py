"""Flag anomalous service sessions from their sequence of log templates (GRU).

Each session is a variable-length sequence (30-160 events) of parsed log template ids.
Normal sessions follow the service's workflow; anomalous ones (~15%) release a lock before
acquiring it, often far apart from where the lock events occur.
Practice: packed sequences, a length curriculum (first epoch sorted short-to-long, then
shuffled buckets), gradient-norm clipping as insurance, pos_weight for the rare class.
"""
import random

import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import average_precision_score, roc_auc_score
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

SEED = 42
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

N_TEMPLATES = 40
PAD, OPEN, ACQUIRE, RELEASE, CLOSE = 0, 1, 2, 3, 4
ROUTINE = np.arange(5, N_TEMPLATES)


def session(anomalous):
    length = int(rng.integers(30, 160))
    events = list(rng.choice(ROUTINE, size=length))
    events[0], events[-1] = OPEN, CLOSE
    for _ in range(int(rng.integers(1, 3))):
        a, r = sorted(rng.choice(np.arange(1, length - 1), size=2, replace=False))
        if anomalous:
            a, r = r, a                       # released before it was acquired
        events[a], events[r] = ACQUIRE, RELEASE
    # the shipping agent loses a few lines
    for i in range(1, length - 1):
        if events[i] in (ACQUIRE, RELEASE) and rng.random() < 0.12:
            events[i] = int(rng.choice(ROUTINE))
    return torch.tensor(events, dtype=torch.long)


def make(n, rate=0.15):
    labels = (rng.random(n) < rate).astype(np.float32)
    return [session(bool(l)) for l in labels], torch.from_numpy(labels)


train_seqs, train_y = make(1500)
val_seqs, val_y = make(500)


class SessionGRU(nn.Module):
    def __init__(self, n_tokens, emb=16, hidden=32):
        super().__init__()
        self.emb = nn.Embedding(n_tokens, emb, padding_idx=PAD)
        self.gru = nn.GRU(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.emb(ids), lengths, batch_first=True, enforce_sorted=False)
        _, h = self.gru(packed)
        return self.out(h[-1]).squeeze(1)


def batches(seqs, y, bs, order):
    for i in range(0, len(order), bs):
        idx = order[i:i + bs]
        chunk = [seqs[j] for j in idx]
        lengths = torch.tensor([len(s) for s in chunk])
        yield pad_sequence(chunk, batch_first=True, padding_value=PAD), lengths, y[idx]


def epoch_order(epoch, seqs, bs):
    lengths = np.array([len(s) for s in seqs])
    if epoch == 0:
        return np.argsort(lengths, kind="stable")                 # curriculum: short sessions first
    order = rng.permutation(len(seqs))                              # then length-bucketed shuffles
    buckets = [order[i:i + bs * 8] for i in range(0, len(order), bs * 8)]
    chunks = []
    for b in buckets:
        b = b[np.argsort(lengths[b])]
        chunks += [b[i:i + bs] for i in range(0, len(b), bs)]
    random.shuffle(chunks)
    return np.concatenate(chunks)


model = SessionGRU(N_TEMPLATES)
pos_frac = train_y.mean().item()
criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor((1 - pos_frac) / pos_frac))
optimizer = torch.optim.Adam(model.parameters(), lr=4e-3)
BS = 32

for epoch in range(10):
    model.train()
    total, n = 0.0, 0
    for ids, lengths, yb in batches(train_seqs, train_y, BS, epoch_order(epoch, train_seqs, BS)):
        optimizer.zero_grad()
        loss = criterion(model(ids, lengths), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
        total += loss.item() * len(yb)
        n += len(yb)
    model.eval()
    with torch.no_grad():
        scores = torch.cat([model(ids, lengths) for ids, lengths, _ in
                            batches(val_seqs, val_y, 250, np.arange(len(val_seqs)))]).numpy()
    auc = roc_auc_score(val_y.numpy(), scores)
    ap = average_precision_score(val_y.numpy(), scores)
    print(f"epoch {epoch + 1:2d} train_loss {total / n:.4f} val_auc {auc:.4f} val_ap {ap:.4f}")

print(f"final val_auc {auc:.4f} val_ap {ap:.4f} (anomaly rate {val_y.mean():.3f})")
