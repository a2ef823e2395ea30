"""Word-level LSTM language model (after pytorch/examples/word_language_model).

No text corpus on this box, so the corpus is sampled from a small synthetic language:
a made-up lexicon and a sparse bigram grammar with Zipfian successor choice (about a
thousand distinct words end up in the corpus).
"""
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn


# ----------------------------------------------------------------------------- data
class Dictionary:
    def __init__(self):
        self.word2idx = {}
        self.idx2word = []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


def synth_corpus(n_words, lexicon=6000, branching=12, seed=0):
    rng = np.random.default_rng(seed)
    syll = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "ga", "vu", "ze", "sha", "tor",
            "bel", "an", "ok", "fi", "mu", "ren"]
    words, seen = [], set()
    while len(words) < lexicon:
        w = "".join(rng.choice(syll, size=rng.integers(1, 5)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    words[0] = "<eos>"
    zipf = 1.0 / np.arange(1, lexicon + 1) ** 1.1
    zipf /= zipf.sum()
    succ = rng.choice(lexicon, size=(lexicon, branching), p=zipf)
    w8 = rng.dirichlet(np.full(branching, 0.5), size=lexicon)
    cum = np.cumsum(w8, axis=1)
    u = rng.random(n_words)
    out = np.empty(n_words, dtype=np.int64)
    cur = 0
    for i in range(n_words):
        cur = succ[cur, min(np.searchsorted(cum[cur], u[i]), branching - 1)]
        out[i] = cur
    return [words[i] for i in out]


class Corpus:
    def __init__(self, n_train=45_000, n_valid=8_000):
        self.dictionary = Dictionary()
        text = synth_corpus(n_train + n_valid)
        self.train = self.tokenize(text[:n_train])
        self.valid = self.tokenize(text[n_train:])

    def tokenize(self, words):
        return torch.tensor([self.dictionary.add_word(w) for w in words], dtype=torch.int64)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


# ----------------------------------------------------------------------------- model
class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.2):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid, self.nlayers = nhid, nlayers
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
        decoded = self.decoder(output).view(-1, self.ntoken)
        return nn.functional.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                weight.new_zeros(self.nlayers, bsz, self.nhid))


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


# ----------------------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emsize", type=int, default=128)
    parser.add_argument("--nhid", type=int, default=128)
    parser.add_argument("--nlayers", type=int, default=2)
    parser.add_argument("--lr", type=float, default=20)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch_size", type=int, default=20)
    parser.add_argument("--bptt", type=int, default=35)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1111)
    parser.add_argument("--log-interval", type=int, default=40)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    corpus = Corpus()
    eval_batch_size = 10
    train_data = batchify(corpus.train, args.batch_size)
    val_data = batchify(corpus.valid, eval_batch_size)
    ntokens = len(corpus.dictionary)

    model = RNNModel(ntokens, args.emsize, args.nhid, args.nlayers, args.dropout)
    criterion = nn.NLLLoss()

    def evaluate(data_source):
        model.eval()
        total_loss = 0.
        hidden = model.init_hidden(eval_batch_size)
        with torch.no_grad():
            for i in range(0, data_source.size(0) - 1, args.bptt):
                data, targets = get_batch(data_source, i, args.bptt)
                output, hidden = model(data, hidden)
                hidden = repackage_hidden(hidden)
                total_loss += len(data) * criterion(output, targets).item()
        return total_loss / (len(data_source) - 1)

    def train(epoch, lr):
        model.train()
        total_loss = 0.
        start_time = time.time()
        hidden = model.init_hidden(args.batch_size)
        for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
            data, targets = get_batch(train_data, i, args.bptt)
            model.zero_grad()
            hidden = repackage_hidden(hidden)
            output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)

            total_loss += loss.item()
            if batch % args.log_interval == 0 and batch > 0:
                cur_loss = total_loss / args.log_interval
                elapsed = time.time() - start_time
                print("| epoch {:3d} | {:5d}/{:5d} batches | lr {:02.2f} | ms/batch {:5.2f} | "
                      "loss {:5.2f} | ppl {:8.2f}".format(
                          epoch, batch, len(train_data) // args.bptt, lr,
                          elapsed * 1000 / args.log_interval, cur_loss,
                          math.exp(min(cur_loss, 50))))
                total_loss = 0
                start_time = time.time()

    lr = args.lr
    best_val_loss = None
    for epoch in range(1, args.epochs + 1):
        train(epoch, lr)
        val_loss = evaluate(val_data)
        print("-" * 89)
        print("| end of epoch {:3d} | valid loss {:5.2f} | valid ppl {:8.2f}".format(
            epoch, val_loss, math.exp(min(val_loss, 50))))
        print("-" * 89)
        if not best_val_loss or val_loss < best_val_loss:
            best_val_loss = val_loss
        else:
            lr /= 4.0
    print(f"final valid_loss={val_loss:.4f} valid_ppl={math.exp(min(val_loss, 50)):.2f}")


if __name__ == "__main__":
    main()
