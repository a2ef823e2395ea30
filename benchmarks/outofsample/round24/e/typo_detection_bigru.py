"""Typing-error detection for a help-desk form: flag each character that is
part of a typo (neighbour-key substitution, swapped letters, doubled or
dropped keys) in free-text entries up to 72 characters long.

Character embeddings -> bidirectional GRU -> per-character logit.
Typos are rare (a few % of characters) so BCEWithLogits gets a pos_weight;
padding is masked out of the loss; the gradient norm is clipped as routine.
"""
import string

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence

torch.manual_seed(8)
rng = np.random.default_rng(8)

ALPHA = string.ascii_lowercase + " .,'"
CH = {c: i + 1 for i, c in enumerate(ALPHA)}  # 0 = padding
ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
NEIGH = {}
for r, row in enumerate(ROWS):
    for j, c in enumerate(row):
        n = [row[k] for k in (j - 1, j + 1) if 0 <= k < len(row)]
        for rr in (r - 1, r + 1):
            if 0 <= rr < 3:
                n += [ROWS[rr][k] for k in (j - 1, j, j + 1) if 0 <= k < len(ROWS[rr])]
        NEIGH[c] = n

syll = ["ka", "re", "to", "mi", "sa", "lo", "ne", "pu", "di", "ve", "ar", "on", "st", "gr", "pl", "in", "er", "ch"]
lexicon = sorted({"".join(rng.choice(syll, rng.integers(1, 4))) for _ in range(600)})
word_p = 1 / np.arange(1, len(lexicon) + 1) ** 0.9
word_p /= word_p.sum()
MAXLEN = 72


def sentence():
    words, length = [], 0
    target = rng.integers(24, MAXLEN - 10)
    while length < target:
        w = lexicon[rng.choice(len(lexicon), p=word_p)]
        words.append(w)
        length += len(w) + 1
    text, labels = [], []
    for k, w in enumerate(words):
        chars, lab = list(w), [0] * len(w)
        if rng.random() < 0.12 and len(w) > 2:
            kind = rng.integers(4)
            p = rng.integers(0, len(w))
            if kind == 0 and chars[p] in NEIGH:
                chars[p] = rng.choice(NEIGH[chars[p]]); lab[p] = 1
            elif kind == 1 and p < len(w) - 1 and chars[p] != chars[p + 1]:
                chars[p], chars[p + 1] = chars[p + 1], chars[p]; lab[p] = lab[p + 1] = 1
            elif kind == 2:
                chars.insert(p, chars[p]); lab.insert(p, 1)
            elif kind == 3 and p < len(w) - 1:
                del chars[p]; del lab[p]; lab[max(p - 1, 0)] = 1
        text += chars; labels += lab
        if k < len(words) - 1:
            text.append(" " if rng.random() > 0.08 else ","); labels.append(0)
    text.append("."); labels.append(0)
    return [CH[c] for c in text[:MAXLEN]], labels[:MAXLEN]


def batchify(rows):
    x = pad_sequence([torch.tensor(r[0]) for r in rows], batch_first=True)
    y = pad_sequence([torch.tensor(r[1], dtype=torch.float32) for r in rows], batch_first=True)
    return x, y, (x != 0)


train_rows = [sentence() for _ in range(2000)]
val_rows = [sentence() for _ in range(500)]


class TypoTagger(nn.Module):
    def __init__(self, vocab, emb=24, hidden=48):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=0)
        self.rnn = nn.GRU(emb, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, 1)

    def forward(self, x):
        h, _ = self.rnn(self.emb(x))
        return self.out(h).squeeze(-1)


model = TypoTagger(len(ALPHA) + 1)
pos_rate = np.mean([v for _, lab in train_rows for v in lab])
criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(3.0), reduction="none")
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
epochs, bs = 10, 64
steps_per_epoch = (len(train_rows) + bs - 1) // bs
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * steps_per_epoch, eta_min=1e-4)


def f1(model, rows):
    model.eval()
    tp = fp = fn = 0
    with torch.no_grad():
        for i in range(0, len(rows), 250):
            x, y, m = batchify(rows[i:i + 250])
            p = (model(x) > 0) & m
            tp += (p & (y > 0)).sum().item(); fp += (p & (y == 0)).sum().item(); fn += (~p & (y > 0) & m).sum().item()
    prec, rec = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return 2 * prec * rec / max(prec + rec, 1e-9), prec, rec


print(f"typo share of characters: {pos_rate:.3f}")
for epoch in range(epochs):
    model.train()
    order = rng.permutation(len(train_rows))
    tot = 0.0
    for i in range(0, len(order), bs):
        x, y, m = batchify([train_rows[j] for j in order[i:i + bs]])
        loss = (criterion(model(x), y) * m).sum() / m.sum()
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        tot += loss.item()
    f, p, r = f1(model, val_rows)
    print(f"epoch {epoch + 1:2d} train loss {tot / (len(order) / bs):.4f}  val F1 {f:.3f} (P {p:.3f} R {r:.3f})")
print(f"val typo-character F1 {f:.3f}")
