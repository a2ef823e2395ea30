"""Word-level LSTM language model on a generated corpus with a 20k-word vocabulary.

Structure follows pytorch/examples word_language_model (Dictionary/Corpus, batchify, truncated
BPTT with repackaged hidden state), with an adaptive softmax over the frequency-sorted vocabulary
(nn.AdaptiveLogSoftmaxWithLoss, as for WikiText-103-sized vocabularies), Adam, bf16 autocast on
CPU for the embedding/LSTM forward, and gradient-norm clipping at 1.0 as a safety net.  The corpus is topic documents
written from sentence templates over a 20k-word lexicon with Zipf frequencies.
"""
import math
import random
import time

import numpy as np
import torch
import torch.nn as nn

SEED = 1111
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

# ----------------------------------------------------------------------------- corpus
SYL = ["ka", "lo", "mi", "ne", "ru", "ta", "shi", "po", "an", "el", "or", "vu", "zed", "qui", "bra",
       "sto", "fen", "gar", "hul", "jin", "dra", "mok", "pel", "sar", "tor", "wix", "yel", "cra"]


def make_lexicon(rng, n, used):
    words = []
    while len(words) < n:
        w = "".join(rng.choice(SYL, size=rng.integers(2, 5)))
        if w not in used:
            used.add(w)
            words.append(w)
    return words


def zipf_p(n, s=1.05):
    p = 1.0 / np.arange(1, n + 1) ** s
    return p / p.sum()


def generate_corpus(n_tokens, rng, lex, topics):
    templates = [
        ["DET", "NOUN", "VERB", "DET", "ADJ", "NOUN", "."],
        ["NAME", "VERB", "DET", "NOUN", "PREP", "DET", "NOUN", "."],
        ["DET", "ADJ", "NOUN", "ADV", "VERB", "."],
        ["PRON", "VERB", "DET", "NOUN", "CONJ", "PRON", "VERB", "ADV", "."],
        ["PREP", "DET", "NOUN", ",", "NAME", "VERB", "DET", "ADJ", "NOUN", "."],
    ]
    tpl_p = np.array([0.3, 0.2, 0.2, 0.15, 0.15])
    lines, count = [], 0
    while count < n_tokens:
        t = topics[rng.integers(len(topics))]
        for _ in range(rng.integers(3, 8)):  # sentences per document
            tpl = templates[rng.choice(len(templates), p=tpl_p)]
            words = []
            for slot in tpl:
                if slot in t and rng.random() < 0.85:
                    ids, p = t[slot]
                    words.append(lex[slot][ids[rng.choice(len(ids), p=p)]])
                elif slot in lex:
                    words.append(lex[slot][rng.choice(len(lex[slot]), p=lex[slot + "_p"])])
                else:
                    words.append(slot)
            lines.append(words)
            count += len(words) + 1
    return lines


class Dictionary:
    def __init__(self):
        self.word2idx, self.idx2word = {}, []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


class Corpus:
    """Vocabulary = the whole lexicon, indexed by training frequency (adaptive softmax needs it)."""

    def __init__(self, lex, train_lines):
        freq = {}
        for cls in ["DET", "PREP", "PRON", "CONJ", "NAME", "ADV", "ADJ", "VERB", "NOUN"]:
            for w in lex[cls]:
                freq[w] = 0
        for w in [".", ",", "<eos>"]:
            freq[w] = 0
        for line in train_lines:
            for w in line + ["<eos>"]:
                freq[w] += 1
        self.dictionary = Dictionary()
        for w in sorted(freq, key=lambda w: -freq[w]):  # stable sort keeps lexicon order on ties
            self.dictionary.add_word(w)

    def tokenize(self, lines):
        ids = [self.dictionary.word2idx[w] for line in lines for w in line + ["<eos>"]]
        return torch.tensor(ids, dtype=torch.long)


def build_data():
    rng = np.random.default_rng(SEED)
    used = set()
    sizes = {"DET": 6, "PREP": 12, "PRON": 8, "CONJ": 5, "NAME": 1200, "ADV": 1300,
             "ADJ": 3500, "VERB": 5000, "NOUN": 8966}
    lex = {}
    for cls, n in sizes.items():
        lex[cls] = make_lexicon(rng, n, used)
        lex[cls + "_p"] = zipf_p(n)
    topics = []
    for _ in range(60):
        t = {}
        for cls, k in [("NOUN", 150), ("VERB", 80), ("ADJ", 60), ("NAME", 10)]:
            ids = rng.choice(sizes[cls], size=k, replace=False)
            t[cls] = (ids, zipf_p(k, 0.9))
        topics.append(t)
    train_lines = generate_corpus(80_000, rng, lex, topics)
    valid_lines = generate_corpus(12_000, rng, lex, topics)
    corpus = Corpus(lex, train_lines)
    train = corpus.tokenize(train_lines)
    valid = corpus.tokenize(valid_lines)
    return corpus, train, valid


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data[: nbatch * bsz].view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


# ----------------------------------------------------------------------------- model
class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, cutoffs, dropout=0.2):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers)
        self.asm = nn.AdaptiveLogSoftmaxWithLoss(nhid, ntoken, cutoffs=cutoffs, div_value=4.0)
        self.nhid, self.nlayers = nhid, nlayers
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        return self.drop(output), hidden

    def init_hidden(self, bsz):
        w = next(self.parameters())
        return (w.new_zeros(self.nlayers, bsz, self.nhid), w.new_zeros(self.nlayers, bsz, self.nhid))


def main():
    corpus, train, valid = build_data()
    ntokens = len(corpus.dictionary)
    bsz, eval_bsz, bptt = 16, 10, 30
    train_data, val_data = batchify(train, bsz), batchify(valid, eval_bsz)
    print(f"vocab {ntokens}  train tokens {train.numel()}  valid tokens {valid.numel()}")

    # trivial baseline: add-one smoothed unigram estimated on the training split
    counts = torch.bincount(train, minlength=ntokens).double() + 1.0
    logp = (counts / counts.sum()).log()
    unigram_ppl = math.exp(-logp[valid].mean().item())

    model = RNNModel(ntokens, 128, 128, 1, cutoffs=[100, 1000, 5000], dropout=0.1)
    lr = 3e-3
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def evaluate(data_source):
        model.eval()
        total_loss = 0.0
        hidden = model.init_hidden(eval_bsz)
        with torch.no_grad(), torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            for i in range(0, data_source.size(0) - 1, bptt):
                data, targets = get_batch(data_source, i, bptt)
                output, hidden = model(data, hidden)
                hidden = repackage_hidden(hidden)
                with torch.autocast(device_type="cpu", enabled=False):
                    loss = model.asm(output.float().view(-1, model.nhid), targets).loss
                total_loss += len(data) * loss.item()
        return total_loss / (len(data_source) - 1)

    best_val = None
    for epoch in range(1, 4):
        model.train()
        hidden = model.init_hidden(bsz)
        t0, total = time.time(), 0.0
        for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
            data, targets = get_batch(train_data, i, bptt)
            hidden = repackage_hidden(hidden)
            optimizer.zero_grad()
            with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
                output, hidden = model(data, hidden)
            loss = model.asm(output.float().view(-1, model.nhid), targets).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total += loss.item()
            if batch % 40 == 39:
                print(f"| epoch {epoch} | batch {batch + 1} | loss {total / 40:5.2f} | ppl {math.exp(total / 40):8.1f}")
                total = 0.0
        val_loss = evaluate(val_data)
        print(f"| end of epoch {epoch} | time {time.time() - t0:4.1f}s | valid loss {val_loss:5.2f} | valid ppl {math.exp(val_loss):8.1f}")
        if best_val is None or val_loss < best_val:
            best_val = val_loss
        else:
            lr /= 4.0
            for g in optimizer.param_groups:
                g["lr"] = lr
    print(f"unigram baseline valid ppl {unigram_ppl:.1f}")
    print(f"FINAL valid ppl {math.exp(best_val):.1f}")


if __name__ == "__main__":
    main()
