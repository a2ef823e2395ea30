"""Word-level LSTM language model in the style of pytorch/examples word_language_model.

The corpus is generated: sentences from a small stochastic grammar over a few thousand words.
"""
import math
import time

import numpy as np
import torch
import torch.nn as nn


def make_corpus(n_sentences=3000, seed=0):
    rng = np.random.default_rng(seed)
    nouns = [f"noun{i}" for i in range(1200)]
    verbs = [f"verb{i}" for i in range(800)]
    adjs = [f"adj{i}" for i in range(600)]
    dets = ["the", "a", "every", "some", "my"]
    preps = ["on", "in", "under", "near", "with"]
    p_noun = 1.0 / np.arange(1, len(nouns) + 1) ** 1.1
    p_noun /= p_noun.sum()
    p_verb = 1.0 / np.arange(1, len(verbs) + 1) ** 1.1
    p_verb /= p_verb.sum()
    words = []
    for _ in range(n_sentences):
        s = [rng.choice(dets)]
        if rng.random() < 0.5:
            s.append(adjs[rng.integers(len(adjs))])
        s.append(nouns[rng.choice(len(nouns), p=p_noun)])
        s.append(verbs[rng.choice(len(verbs), p=p_verb)])
        if rng.random() < 0.6:
            s += [rng.choice(preps), rng.choice(dets), nouns[rng.choice(len(nouns), p=p_noun)]]
        s.append("<eos>")
        words += s
    return words


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


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.2, tie_weights=True):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            self.decoder.weight = self.encoder.weight
        self.nhid, self.nlayers = nhid, nlayers
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.decoder.out_features)
        return nn.functional.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(self.nlayers, bsz, self.nhid), weight.new_zeros(self.nlayers, bsz, self.nhid))


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


bptt = 35


def get_batch(source, i):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


def main():
    torch.manual_seed(1111)
    words = make_corpus()
    dictionary = Dictionary()
    ids = torch.tensor([dictionary.add_word(w) for w in words], dtype=torch.long)
    ntokens = len(dictionary)
    n = len(ids)
    train_data = batchify(ids[: int(0.9 * n)], 20)
    val_data = batchify(ids[int(0.9 * n):], 10)
    print(f"vocabulary {ntokens} tokens, {n} words")

    model = RNNModel(ntokens, 64, 64, 2, dropout=0.2)
    criterion = nn.NLLLoss()
    lr, clip = 20.0, 0.25
    best_val_loss = None

    def evaluate(data_source):
        model.eval()
        total_loss = 0.0
        hidden = model.init_hidden(10)
        with torch.no_grad():
            for i in range(0, data_source.size(0) - 1, bptt):
                data, targets = get_batch(data_source, i)
                output, hidden = model(data, hidden)
                hidden = repackage_hidden(hidden)
                total_loss += len(data) * criterion(output, targets).item()
        return total_loss / (len(data_source) - 1)

    for epoch in range(1, 5):
        epoch_start_time = time.time()
        model.train()
        total_loss = 0.0
        hidden = model.init_hidden(20)
        for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
            data, targets = get_batch(train_data, i)
            model.zero_grad()
            hidden = repackage_hidden(hidden)
            output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)
            total_loss += loss.item()
            if batch % 20 == 0 and batch > 0:
                cur_loss = total_loss / 20
                print(f"| epoch {epoch:3d} | {batch:5d} batches | lr {lr:02.2f} | loss {cur_loss:5.2f} | ppl {math.exp(cur_loss):8.2f}")
                total_loss = 0.0
        val_loss = evaluate(val_data)
        print(f"| end of epoch {epoch:3d} | time: {time.time() - epoch_start_time:5.2f}s | valid loss {val_loss:5.2f} | valid ppl {math.exp(val_loss):8.2f}")
        if not best_val_loss or val_loss < best_val_loss:
            best_val_loss = val_loss
        else:
            lr /= 4.0
    print(f"final_val_metric={math.exp(best_val_loss):.2f}")


if __name__ == "__main__":
    main()
