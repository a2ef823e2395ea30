"""Word-level LSTM language model, in the style of pytorch/examples word_language_model.

The corpus is synthesised: a 6,000-word Zipfian vocabulary where every word has a small
set of preferred successors (a sparse bigram chain), 45k training tokens.
"""
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser(description="LSTM word LM on a synthetic corpus")
parser.add_argument("--emsize", type=int, default=128)
parser.add_argument("--nhid", type=int, default=128)
parser.add_argument("--lr", type=float, default=20)
parser.add_argument("--clip", type=float, default=0.25)
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--batch_size", type=int, default=32)
parser.add_argument("--bptt", type=int, default=35)
parser.add_argument("--dropout", type=float, default=0.2)
parser.add_argument("--seed", type=int, default=1111)
args = parser.parse_args()
torch.manual_seed(args.seed)

###############################################################################
# Corpus
###############################################################################
NTOKENS = 6000


def make_corpus(n_tokens, rng):
    ranks = np.arange(1, NTOKENS + 1)
    unigram = 1.0 / ranks ** 1.05
    unigram /= unigram.sum()
    succ = np.stack([rng.choice(NTOKENS, size=8, p=unigram) for _ in range(NTOKENS)])
    succ_p = rng.dirichlet(np.ones(8) * 0.5, size=NTOKENS)
    succ_cdf = succ_p.cumsum(1)
    jumps = rng.random(n_tokens) < 0.15               # topic jumps
    jump_to = rng.choice(NTOKENS, size=n_tokens, p=unigram)
    u = rng.random(n_tokens)
    out = np.empty(n_tokens, dtype=np.int64)
    w = 0
    for i in range(n_tokens):
        w = jump_to[i] if jumps[i] else succ[w, min(np.searchsorted(succ_cdf[w], u[i]), 7)]
        out[i] = w
    return torch.from_numpy(out)


rng = np.random.default_rng(0)
stream = make_corpus(55_000, rng)
train_data, val_data = stream[:45_000], stream[45_000:]


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


train_data = batchify(train_data, args.batch_size)
val_data = batchify(val_data, 10)

###############################################################################
# Model
###############################################################################


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, dropout=0.5):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, 1)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid = nhid
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(1, bsz, self.nhid), weight.new_zeros(1, bsz, self.nhid))


model = RNNModel(NTOKENS, args.emsize, args.nhid, args.dropout)
criterion = nn.NLLLoss()

###############################################################################
# Training code
###############################################################################


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def get_batch(source, i):
    seq_len = min(args.bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


def evaluate(data_source):
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    hidden = model.init_hidden(10)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, args.bptt):
            data, targets = get_batch(data_source, i)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
            correct += (output.argmax(1) == targets).sum().item()
            count += targets.numel()
    return total_loss / (len(data_source) - 1), correct / count


def train(epoch):
    model.train()
    total_loss = 0.0
    start_time = time.time()
    hidden = model.init_hidden(args.batch_size)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
        data, targets = get_batch(train_data, i)
        model.zero_grad()
        hidden = repackage_hidden(hidden)
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total_loss += loss.item()
        if batch % 40 == 0 and batch > 0:
            cur_loss = total_loss / 40
            elapsed = time.time() - start_time
            print(f"| epoch {epoch:3d} | {batch:5d} batches | ms/batch {elapsed * 1000 / 40:5.1f} | "
                  f"loss {cur_loss:6.2f}")
            total_loss = 0.0
            start_time = time.time()


lr = args.lr
best_val_loss = None
for epoch in range(1, args.epochs + 1):
    train(epoch)
    val_loss, val_acc = evaluate(val_data)
    if best_val_loss is None or val_loss < best_val_loss:
        best_val_loss = val_loss
    else:
        lr /= 4.0
    print(f"| end of epoch {epoch:3d} | valid loss {val_loss:6.2f} | valid next-word acc {val_acc:.4f}")

print(f"final valid loss {val_loss:.4f} next-word acc {val_acc:.4f}")
