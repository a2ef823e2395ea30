"""Juggling notation: a word-level GRU language model over siteswap practice logs.

Each log line is a siteswap (e.g. 531, 97531, 744) juggled for a few cycles and closed with
'|'. Follows the structure of PyTorch's word_language_model example: batchified streams,
truncated BPTT, tied input/output embeddings, a hand-written SGD update with gradient
clipping, and the LR quartered whenever validation stops improving.
"""
import argparse
import math
import random
import os
import tempfile
import time

import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--nhid", type=int, default=64)
parser.add_argument("--lr", type=float, default=20.0)
parser.add_argument("--clip", type=float, default=0.25)
parser.add_argument("--epochs", type=int, default=6)
parser.add_argument("--batch_size", type=int, default=20)
parser.add_argument("--bptt", type=int, default=35)
parser.add_argument("--dropout", type=float, default=0.1)
parser.add_argument("--seed", type=int, default=1111)
args = parser.parse_args()

random.seed(args.seed)
torch.manual_seed(args.seed)

THROWS = "0123456789"


def random_siteswap(rng, max_throw=9):
    while True:
        n = rng.randint(1, 5)
        perm = list(range(n))
        rng.shuffle(perm)
        base = [(perm[i] - i) % n for i in range(n)]
        throws = [b + n * rng.randint(0, 2) for b in base]
        if max(throws) <= max_throw and sum(throws) > 0:
            return throws


def practice_log(rng, n_lines):
    words = []
    for _ in range(n_lines):
        ss = random_siteswap(rng)
        words += ["hand=" + rng.choice(["L", "R"])]
        words += [THROWS[t] for t in ss] * rng.randint(2, 5)
        words += ["|"]
    return words


class Corpus:
    def __init__(self, rng):
        self.idx = {}
        self.train = self.tokenize(practice_log(rng, 5000))
        self.valid = self.tokenize(practice_log(rng, 800))
        self.test = self.tokenize(practice_log(rng, 800))

    def tokenize(self, words):
        for w in words:
            self.idx.setdefault(w, len(self.idx))
        return torch.tensor([self.idx[w] for w in words], dtype=torch.long)


class RNNModel(nn.Module):
    def __init__(self, ntoken, nhid, dropout):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, nhid)
        self.rnn = nn.GRU(nhid, nhid, num_layers=2, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.decoder.weight = self.encoder.weight       # weight tying (Press & Wolf 2016)
        self.nhid = nhid
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        return self.decoder(self.drop(output)), hidden

    def init_hidden(self, bsz):
        return torch.zeros(2, bsz, self.nhid)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data[: nbatch * bsz].view(bsz, -1).t().contiguous()


def get_batch(source, i):
    seq_len = min(args.bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


CKPT = os.path.join(tempfile.gettempdir(), "siteswap_lm.pt")
corpus = Corpus(random.Random(args.seed))
ntokens = len(corpus.idx)
train_data = batchify(corpus.train, args.batch_size)
val_data = batchify(corpus.valid, 10)
test_data = batchify(corpus.test, 10)
print(f"vocab {ntokens}, train tokens {len(corpus.train)}")

model = RNNModel(ntokens, args.nhid, args.dropout)
criterion = nn.CrossEntropyLoss()


def evaluate(data_source):
    model.eval()
    total_loss = 0.0
    hidden = model.init_hidden(10)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, args.bptt):
            data, targets = get_batch(data_source, i)
            output, hidden = model(data, hidden)
            total_loss += len(data) * criterion(output.view(-1, ntokens), targets).item()
    return total_loss / (len(data_source) - 1)


def train(lr):
    model.train()
    total_loss, start = 0.0, time.time()
    hidden = model.init_hidden(args.batch_size)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
        data, targets = get_batch(train_data, i)
        hidden = hidden.detach()
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output.view(-1, ntokens), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total_loss += loss.item()
        if batch % 50 == 0 and batch > 0:
            cur = total_loss / 50
            print(f"| batch {batch:4d} | lr {lr:5.2f} | ms/batch {(time.time() - start) * 1000 / 50:5.1f} | loss {cur:5.2f} | ppl {math.exp(cur):7.2f}")
            total_loss, start = 0.0, time.time()


lr, best_val = args.lr, None
for epoch in range(1, args.epochs + 1):
    train(lr)
    val_loss = evaluate(val_data)
    print(f"| end of epoch {epoch} | valid loss {val_loss:5.3f} | valid ppl {math.exp(val_loss):6.2f}")
    if best_val is None or val_loss < best_val:
        best_val = val_loss
        torch.save(model.state_dict(), CKPT)
    else:
        lr /= 4.0

model.load_state_dict(torch.load(CKPT))
test_loss = evaluate(test_data)
unigram = torch.bincount(corpus.train, minlength=ntokens).float()
unigram = unigram / unigram.sum()
uni_ppl = math.exp(-(unigram[corpus.test].log().mean().item()))
print(f"FINAL test ppl {math.exp(test_loss):.2f} (unigram ppl {uni_ppl:.2f})")
