"""Word-level LSTM language model on a synthetic 5k-word corpus (word_language_model style).

The corpus comes from a sparse "phrase" process: most words are followed by one of a few
habitual successors, the rest is drawn from a Zipfian unigram distribution, which gives a
realistic long-tailed vocabulary and a perplexity floor well below the unigram one.
"""
import argparse
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def synth_corpus(vocab=5000, n_tokens=56_000, n_succ=4, p_phrase=0.75, seed=0):
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, vocab + 1)
    unigram = 1.0 / ranks ** 1.1
    unigram /= unigram.sum()
    succ = rng.choice(vocab, size=(vocab, n_succ), p=unigram)
    succ_p = rng.dirichlet(np.ones(n_succ) * 0.7, size=vocab)
    tokens = np.empty(n_tokens, dtype=np.int64)
    tokens[0] = 0
    coin = rng.random(n_tokens)
    fallback = rng.choice(vocab, size=n_tokens, p=unigram)
    pick = rng.random(n_tokens)
    for i in range(1, n_tokens):
        w = tokens[i - 1]
        if coin[i] < p_phrase:
            tokens[i] = succ[w, np.searchsorted(np.cumsum(succ_p[w]), pick[i] * 0.999999)]
        else:
            tokens[i] = fallback[i]
    return torch.from_numpy(tokens)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].reshape(-1)
    return data, target


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.2, tie_weights=True):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout if nlayers > 1 else 0.0)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            assert nhid == ninp
            self.decoder.weight = self.encoder.weight
        self.nhid, self.nlayers = nhid, nlayers
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.ntoken)
        return decoded, hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                weight.new_zeros(self.nlayers, bsz, self.nhid))


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def evaluate(model, data_source, bptt, eval_batch_size):
    model.eval()
    total_loss, n = 0.0, 0
    hidden = model.init_hidden(eval_batch_size)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, bptt):
            data, targets = get_batch(data_source, i, bptt)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += F.cross_entropy(output, targets, reduction="sum").item()
            n += targets.numel()
    return total_loss / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emsize", type=int, default=64)
    parser.add_argument("--nlayers", type=int, default=1)
    parser.add_argument("--lr", type=float, default=20.0)
    parser.add_argument("--clip", type=float, default=0.25)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch_size", type=int, default=16)
    parser.add_argument("--bptt", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1111)
    parser.add_argument("--log-interval", type=int, default=40)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    corpus = synth_corpus()
    ntokens = int(corpus.max()) + 1
    n_val = 6_000
    train_data = batchify(corpus[:-n_val], args.batch_size)
    val_data = batchify(corpus[-n_val:], 10)

    model = RNNModel(ntokens, args.emsize, args.emsize, args.nlayers)
    criterion = nn.NLLLoss()
    lr = args.lr
    best_val_loss = None
    for epoch in range(1, args.epochs + 1):
        model.train()
        total_loss, start = 0.0, time.time()
        hidden = model.init_hidden(args.batch_size)
        for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
            data, targets = get_batch(train_data, i, args.bptt)
            hidden = repackage_hidden(hidden)
            model.zero_grad()
            output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)
            total_loss += loss.item()
            if batch % args.log_interval == 0 and batch > 0:
                cur_loss = total_loss / args.log_interval
                print(f"| epoch {epoch:3d} | {batch:5d} batches | lr {lr:02.2f} | "
                      f"ms/batch {(time.time() - start) * 1000 / args.log_interval:5.2f} | loss {cur_loss:5.2f}")
                total_loss, start = 0.0, time.time()
        val_loss = evaluate(model, val_data, args.bptt, 10)
        print(f"| end of epoch {epoch:3d} | valid loss {val_loss:5.2f} | valid ppl {np.exp(val_loss):8.2f}")
        if best_val_loss is None or val_loss < best_val_loss:
            best_val_loss = val_loss
        else:
            lr /= 4.0
    print(f"final valid loss {best_val_loss:.3f} | valid ppl {np.exp(best_val_loss):.2f}")


if __name__ == "__main__":
    main()
