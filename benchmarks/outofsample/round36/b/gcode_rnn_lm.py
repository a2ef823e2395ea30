# Token-level language model over CNC G-code programs (mill post-processor output).
# Follows the structure of pytorch/examples word_language_model: batchify, get_batch,
# truncated BPTT with repackaged hidden state, manual SGD updates, LR annealing on plateau.
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn

parser = argparse.ArgumentParser(description="G-code RNN language model")
parser.add_argument("--emsize", type=int, default=64)
parser.add_argument("--nhid", type=int, default=128)
parser.add_argument("--lr", type=float, default=1.0)
parser.add_argument("--clip", type=float, default=0.5)
parser.add_argument("--epochs", type=int, default=4)
parser.add_argument("--batch_size", type=int, default=16)
parser.add_argument("--bptt", type=int, default=120)
parser.add_argument("--seed", type=int, default=1111)
args = parser.parse_args()

torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)


###############################################################################
# Corpus: synthetic post-processor output for pocketing / drilling / contouring
###############################################################################
class Dictionary:
    def __init__(self):
        self.word2idx, self.idx2word = {}, []

    def add_word(self, w):
        if w not in self.word2idx:
            self.idx2word.append(w)
            self.word2idx[w] = len(self.idx2word) - 1
        return self.word2idx[w]


def coord(axis, lo, hi):
    v = rng.integers(lo, hi)
    return [axis] + list(str(v)) + ["."] + list(f"{rng.integers(0, 100):02d}")


def program():
    toks = ["%", "<nl>", "G21", "G90", "G17", "<nl>"]
    tool = rng.integers(1, 9)
    toks += ["T"] + list(str(tool)) + ["M06", "<nl>", "S"] + list(str(rng.choice([8, 10, 12, 15]))) + ["0", "0", "0", "M03", "<nl>"]
    op = rng.choice(["pocket", "drill", "contour"])
    for _ in range(rng.integers(6, 14)):
        if op == "drill":
            toks += ["G81"] + coord("X", 0, 200) + coord("Y", 0, 150) + coord("Z", -20, 0) + ["R", "2", ".", "0", "0", "F", "1", "0", "0", "<nl>"]
        elif op == "pocket":
            toks += ["G1"] + coord("X", 0, 200) + coord("Y", 0, 150) + ["F", "6", "0", "0", "<nl>"]
        else:
            g = rng.choice(["G2", "G3"])
            toks += [g] + coord("X", 0, 200) + coord("Y", 0, 150) + coord("I", -30, 30) + coord("J", -30, 30) + ["<nl>"]
    if op == "drill":
        toks += ["G80", "<nl>"]
    toks += ["G0", "Z", "5", "0", ".", "0", "0", "<nl>", "M05", "<nl>", "M30", "<nl>"]
    return toks


class Corpus:
    def __init__(self):
        self.dictionary = Dictionary()
        self.train = self.tokenize(520)
        self.valid = self.tokenize(60)

    def tokenize(self, n_programs):
        ids = []
        for _ in range(n_programs):
            for w in program():
                ids.append(self.dictionary.add_word(w))
        return torch.tensor(ids, dtype=torch.long)


corpus = Corpus()


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


eval_batch_size = 10
train_data = batchify(corpus.train, args.batch_size)
val_data = batchify(corpus.valid, eval_batch_size)


###############################################################################
# Model
###############################################################################
class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.RNN(ninp, nhid, nonlinearity="tanh")
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid = nhid
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, input, hidden):
        emb = self.encoder(input)
        output, hidden = self.rnn(emb, hidden)
        return self.decoder(output).view(-1, self.decoder.out_features), hidden

    def init_hidden(self, bsz):
        return torch.zeros(1, bsz, self.nhid)


ntokens = len(corpus.dictionary.idx2word)
model = RNNModel(ntokens, args.emsize, args.nhid)
criterion = nn.CrossEntropyLoss()


def repackage_hidden(h):
    return h.detach()


def get_batch(source, i):
    seq_len = min(args.bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


def evaluate(data_source):
    model.eval()
    total_loss = 0.0
    hidden = model.init_hidden(eval_batch_size)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, args.bptt):
            data, targets = get_batch(data_source, i)
            output, hidden = model(data, hidden)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)


def train():
    model.train()
    total_loss = 0.0
    start_time = time.time()
    hidden = model.init_hidden(args.batch_size)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
        data, targets = get_batch(train_data, i)
        hidden = repackage_hidden(hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()

        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)

        total_loss += loss.item()
        if batch % 50 == 0 and batch > 0:
            cur_loss = total_loss / 50
            print(f"| epoch {epoch:3d} | {batch:5d} batches | lr {lr:5.2f} | "
                  f"ms/batch {(time.time() - start_time) * 1000 / 50:6.2f} | loss {cur_loss:6.2f}")
            total_loss = 0.0
            start_time = time.time()


lr = args.lr
best_val_loss = None
for epoch in range(1, args.epochs + 1):
    train()
    val_loss = evaluate(val_data)
    ppl = math.exp(val_loss) if val_loss < 50 else float("inf")
    print(f"| end of epoch {epoch:3d} | valid loss {val_loss:5.2f} | valid ppl {ppl:8.2f}")
    if not best_val_loss or val_loss < best_val_loss:
        best_val_loss = val_loss
    else:
        lr /= 4.0

ppl = math.exp(best_val_loss) if best_val_loss < 50 else float("inf")
print(f"=== best valid loss {best_val_loss:.3f} | valid ppl {ppl:.2f} | vocab {ntokens}")
