"""Lace-knitting charts: a stitch-level language model over machine-readable pattern rows.

Each pattern is a stream of stitch codes (k, p, yo, k2tog, ssk, sl1, ...) built from repeats of
motifs with row markers; the model predicts the next stitch code. Training follows PyTorch's
word_language_model example: batchify, truncated BPTT, plain SGD updated by hand, LR annealed
by 4x when validation stops improving.
"""
import math
import random

import numpy as np
import torch
from torch import nn

random.seed(11)
np.random.seed(11)
torch.manual_seed(11)

STITCHES = ["k", "p", "yo", "k2tog", "ssk", "sl1", "psso", "k3tog", "sk2p", "m1", "kfb", "p2tog",
            "tbl", "cdd", "nupp", "bo"]
MARK = ["|", "<row>", "<rep>", "<end>"]
vocab = MARK + STITCHES
stoi = {s: i for i, s in enumerate(vocab)}

MOTIFS = [
    ["yo", "k2tog"], ["ssk", "yo"], ["k", "yo", "sk2p", "yo", "k"], ["k2tog", "yo", "k", "yo", "ssk"],
    ["sl1", "k", "psso"], ["p", "p", "k"], ["k", "tbl", "p"], ["yo", "cdd", "yo"], ["nupp", "k", "k"],
    ["m1", "k", "k", "p2tog"], ["kfb", "k", "k2tog"], ["k3tog", "yo", "yo", "k"],
]


def pattern(rng):
    out = []
    rows = rng.randint(6, 14)
    motif_a, motif_b = rng.sample(range(len(MOTIFS)), 2)
    edge = rng.randint(1, 3)
    for r in range(rows):
        out.append("<row>")
        out += ["k"] * edge
        reps = rng.randint(2, 4)
        m = MOTIFS[motif_a] if r % 2 == 0 else MOTIFS[motif_b]
        for _ in range(reps):
            out.append("<rep>")
            out += m
        out.append("|")
        out += ["p" if r % 2 else "k"] * edge
    out += ["bo", "<end>"]
    return out


rng = random.Random(11)
corpus = [stoi[s] for _ in range(420) for s in pattern(rng)]
n = len(corpus)
train_ids = torch.tensor(corpus[: int(0.85 * n)])
val_ids = torch.tensor(corpus[int(0.85 * n):])


def batchify(data, bsz):
    nb = data.size(0) // bsz
    return data[: nb * bsz].view(bsz, -1).t().contiguous()


bptt = 35
train_data = batchify(train_ids, 20)
val_data = batchify(val_ids, 10)


def get_batch(source, i):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp=48, nhid=96, nlayers=2, dropout=0.2):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nlayers, self.nhid = nlayers, nhid
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, x, hidden):
        emb = self.drop(self.encoder(x))
        out, hidden = self.rnn(emb, hidden)
        return self.decoder(self.drop(out)).view(-1, self.decoder.out_features), hidden

    def init_hidden(self, bsz):
        w = next(self.parameters())
        return (w.new_zeros(self.nlayers, bsz, self.nhid), w.new_zeros(self.nlayers, bsz, self.nhid))


def repackage_hidden(h):
    return tuple(v.detach() for v in h)


model = RNNModel(len(vocab))
criterion = nn.CrossEntropyLoss()
lr = 20.0
clip = 0.25
epochs = 6


def evaluate(source):
    model.eval()
    total = 0.0
    hidden = model.init_hidden(source.size(1))
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, bptt):
            data, targets = get_batch(source, i)
            output, hidden = model(data, hidden)
            total += len(data) * criterion(output, targets).item()
    return total / (len(source) - 1)


best_val = None
for epoch in range(1, epochs + 1):
    model.train()
    hidden = model.init_hidden(train_data.size(1))
    total_loss, nb = 0.0, 0
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i)
        hidden = repackage_hidden(hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total_loss += loss.item()
        nb += 1
    val_loss = evaluate(val_data)
    print(f"| epoch {epoch} | lr {lr:.2f} | train loss {total_loss / nb:.3f} | valid loss {val_loss:.3f} | "
          f"valid ppl {math.exp(min(val_loss, 50)):.2f}")
    if best_val is None or val_loss < best_val:
        best_val = val_loss
    else:
        lr /= 4.0

print(f"final valid loss {val_loss:.3f}  valid ppl {math.exp(min(val_loss, 50)):.2f}")
