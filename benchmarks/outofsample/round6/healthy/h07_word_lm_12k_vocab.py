"""Word-level LSTM language model in the style of the PyTorch word_language_model example
(batchify / get_batch / repackage_hidden, truncated BPTT, gradient-norm clipping, tied
embedding and decoder weights), on a synthetic corpus with a 12,000-word vocabulary: words
belong to 20 syntactic classes that follow a sparse class-transition chain, and within a class
words are Zipf-distributed. Evaluation sums the token losses and divides by the token count."""
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--vocab", type=int, default=12000)
parser.add_argument("--emsize", type=int, default=64)
parser.add_argument("--lr", type=float, default=2e-2)
parser.add_argument("--clip", type=float, default=0.5)
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--batch_size", type=int, default=16)
parser.add_argument("--bptt", type=int, default=32)
parser.add_argument("--seed", type=int, default=1111)
args = parser.parse_args()
torch.manual_seed(args.seed)


class SyntheticCorpus:
    def __init__(self, vocab, n_classes=20, seed=0):
        rng = np.random.default_rng(seed)
        self.rng = rng
        self.word_class = rng.integers(0, n_classes, vocab)
        self.members = [np.flatnonzero(self.word_class == c) for c in range(n_classes)]
        self.member_p = []
        for m in self.members:
            p = 1.0 / np.arange(1, len(m) + 1) ** 1.5
            self.member_p.append(p / p.sum())
        trans = np.zeros((n_classes, n_classes))
        for c in range(n_classes):                 # each class is followed by 1 of 3 classes
            nxt = rng.choice(n_classes, 3, replace=False)
            trans[c, nxt] = rng.dirichlet(np.ones(3))
        self.trans = trans
        self.n_classes = n_classes

    def generate(self, n_tokens):
        cls = np.empty(n_tokens, np.int64)
        c, cum = 0, self.trans.cumsum(1)
        u = self.rng.random(n_tokens)
        for i in range(n_tokens):
            c = min(int(np.searchsorted(cum[c], u[i])), self.n_classes - 1)
            cls[i] = c
        out = np.empty(n_tokens, np.int64)
        self.last_logp = np.log(self.trans[np.r_[0, cls[:-1]], cls])   # oracle log-prob of each token
        for c in range(self.n_classes):
            where = np.flatnonzero(cls == c)
            rank = self.rng.choice(len(self.members[c]), len(where), p=self.member_p[c])
            out[where] = self.members[c][rank]
            self.last_logp[where] += np.log(self.member_p[c][rank])
        return torch.from_numpy(out)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def get_batch(source, i):
    seq_len = min(args.bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, dropout=0.2):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, ninp, 1)
        self.decoder = nn.Linear(ninp, ntoken)
        self.decoder.weight = self.encoder.weight       # weight tying (Press & Wolf 2016)
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        return self.decoder(output).view(-1, self.decoder.out_features), hidden

    def init_hidden(self, bsz):
        w = next(self.parameters())
        return (w.new_zeros(1, bsz, self.rnn.hidden_size), w.new_zeros(1, bsz, self.rnn.hidden_size))


corpus = SyntheticCorpus(args.vocab, seed=args.seed)
t0 = time.time()
train_ids = corpus.generate(40000)
valid_ids = corpus.generate(6000)
oracle_ppl = math.exp(-corpus.last_logp.mean())    # the generating process's own perplexity
print(f"corpus generated in {time.time() - t0:.1f}s; vocab {args.vocab}, "
      f"{len(torch.unique(train_ids))} word types seen in training")
counts = torch.bincount(train_ids, minlength=args.vocab).double() + 0.5      # add-half smoothed unigram
unigram_ppl = math.exp(-(counts / counts.sum()).log()[valid_ids].mean().item())

train_data = batchify(train_ids, args.batch_size)
val_data = batchify(valid_ids, 10)
model = RNNModel(args.vocab, args.emsize)
optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
best_val = float("inf")


def evaluate(data_source):
    model.eval()
    total_loss, n_tok = 0.0, 0
    hidden = model.init_hidden(10)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, args.bptt):
            data, targets = get_batch(data_source, i)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += F.cross_entropy(output, targets, reduction="sum").item()
            n_tok += targets.numel()
    return total_loss / n_tok


def train(epoch):
    model.train()
    total_loss, start = 0.0, time.time()
    hidden = model.init_hidden(args.batch_size)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
        data, targets = get_batch(train_data, i)
        hidden = repackage_hidden(hidden)
        optimizer.zero_grad()
        output, hidden = model(data, hidden)
        loss = F.cross_entropy(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        total_loss += loss.item()
        if batch % 20 == 0 and batch > 0:
            cur = total_loss / 20
            print(f"| epoch {epoch} | {batch:4d} batches | {1000 * (time.time() - start) / 20:5.1f} ms/batch "
                  f"| loss {cur:5.2f} | ppl {math.exp(cur):8.2f}")
            total_loss, start = 0.0, time.time()


for epoch in range(1, args.epochs + 1):
    train(epoch)
    val_loss = evaluate(val_data)
    print(f"| end of epoch {epoch} | valid loss {val_loss:5.2f} | valid ppl {math.exp(val_loss):8.2f}")
    if val_loss < best_val:
        best_val = val_loss
    for g in optimizer.param_groups:      # anneal every epoch, harder when validation stalls
        g["lr"] *= 0.5 if val_loss <= best_val else 0.25

print(f"unigram baseline valid ppl {unigram_ppl:.1f}; generating process (oracle) ppl {oracle_ppl:.1f}")
print(f"final valid_ppl {math.exp(val_loss):.1f} unigram_ppl {unigram_ppl:.1f} oracle_ppl {oracle_ppl:.1f}")
