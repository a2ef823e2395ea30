"""Predict whether a service session ends in a crash from its event log.

Sessions are 60-120 events long (token ids from a 48-event vocabulary).
A crash follows when three or more allocation failures pile up after the
last cache flush (a flush resets the pressure), so the model has to count
across long spans and forget on a flush: an embedding + single-layer GRU
over packed variable-length sequences, gradient-norm clipping at 1.0 as
routine insurance, Adam, ReduceLROnPlateau on validation loss.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

VOCAB, PAD, ALLOC_FAIL, CACHE_FLUSH = 48, 0, 5, 7


def sessions(n, rng):
    seqs, labels = [], []
    common = np.arange(8, VOCAB)
    probs = 1.0 / np.arange(1, len(common) + 1) ** 0.8
    probs /= probs.sum()
    for _ in range(n):
        length = rng.integers(60, 121)
        s = rng.choice(common, length, p=probs)
        fail_rate = rng.uniform(0.01, 0.06)
        s[rng.random(length) < fail_rate] = ALLOC_FAIL
        flushes = rng.integers(0, 3)
        for pos in rng.integers(0, length, flushes):
            s[pos] = CACHE_FLUSH
        for tok in (4, 6):                   # unrelated low-level events
            s[rng.random(length) < 0.02] = tok
        # a crash follows when 3+ allocation failures pile up since the last cache flush
        last_flush = np.flatnonzero(s == CACHE_FLUSH)
        start = last_flush[-1] + 1 if len(last_flush) else 0
        seqs.append(torch.tensor(s))
        labels.append(int((s[start:] == ALLOC_FAIL).sum() >= 3))
    return seqs, torch.tensor(labels, dtype=torch.float32)


class SessionGRU(nn.Module):
    def __init__(self, d_emb=16, hidden=32):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d_emb, padding_idx=PAD)
        self.gru = nn.GRU(d_emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, tokens, lengths):
        packed = pack_padded_sequence(self.emb(tokens), lengths, batch_first=True, enforce_sorted=False)
        _, h = self.gru(packed)
        return self.out(h[-1]).squeeze(1)


def batches(seqs, y, bs, shuffle, gen=None):
    order = torch.randperm(len(seqs), generator=gen) if shuffle else torch.arange(len(seqs))
    for i in range(0, len(seqs), bs):
        idx = order[i:i + bs]
        chunk = [seqs[j] for j in idx]
        yield pad_sequence(chunk, batch_first=True, padding_value=PAD), torch.tensor([len(c) for c in chunk]), y[idx]


def main():
    torch.manual_seed(2)
    gen = torch.Generator().manual_seed(2)
    rng = np.random.default_rng(2)
    tr_x, tr_y = sessions(1280, rng)
    va_x, va_y = sessions(500, rng)
    model = SessionGRU()
    opt = torch.optim.Adam(model.parameters(), lr=6e-3)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
    for epoch in range(1, 15):
        model.train()
        tot, n = 0.0, 0
        for xb, lb, yb in batches(tr_x, tr_y, 64, True, gen):
            loss = F.binary_cross_entropy_with_logits(model(xb, lb), yb)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            tot += loss.item() * len(yb)
            n += len(yb)
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(xb, lb) for xb, lb, _ in batches(va_x, va_y, 250, False)])
        val_loss = F.binary_cross_entropy_with_logits(logits, va_y).item()
        acc = ((logits > 0).float() == va_y).float().mean().item()
        sched.step(val_loss)
        print(f"epoch {epoch} train_loss {tot / n:.4f} val_loss {val_loss:.4f} val_acc {acc:.4f}")
    print(f"final val_acc {acc:.4f} val_loss {val_loss:.4f} (majority share {max(va_y.mean().item(), 1 - va_y.mean().item()):.3f})")


if __name__ == "__main__":
    main()
