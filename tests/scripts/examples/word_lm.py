"""An LSTM language model on a synthetic corpus (after the word_language_model example).

The corpus has a 10k-token vocabulary: Zipfian unigram frequencies with bigram structure
(70% of tokens are their predecessor's fixed successor). batchify/get_batch, the
hidden-state repackaging, SGD at lr 20 with gradient clipping at 0.25 and the
lr / 4 annealing when validation stops improving follow the example.
"""
# Written in the style of PyTorch's official examples.
# ruff: noqa: PLR0402, UP008, UP032

import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def synthetic_corpus(ntokens, length, seed, follow_p=0.5, zipf=1.0):
    rng = np.random.RandomState(seed)
    ranks = np.arange(1, ntokens + 1)
    unigram = 1.0 / ranks ** zipf
    unigram /= unigram.sum()
    successor = rng.permutation(ntokens)
    draws = rng.choice(ntokens, size=length, p=unigram)
    follow = rng.rand(length) < follow_p
    ids = np.empty(length, dtype=np.int64)
    ids[0] = draws[0]
    for i in range(1, length):
        ids[i] = successor[ids[i - 1]] if follow[i] else draws[i]
    return torch.from_numpy(ids)


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.2):
        super(RNNModel, self).__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout if nlayers > 1 else 0.0)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid = nhid
        self.nlayers = nlayers
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
        return (weight.new_zeros(self.nlayers, bsz, self.nhid), weight.new_zeros(self.nlayers, bsz, self.nhid))


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def evaluate(model, criterion, data_source, bptt, eval_batch_size):
    model.eval()
    total_loss = 0.
    hidden = model.init_hidden(eval_batch_size)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, bptt):
            data, targets = get_batch(data_source, i, bptt)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)


def main():
    parser = argparse.ArgumentParser(description="LSTM language model on a synthetic 10k-token corpus")
    parser.add_argument("--ntokens", type=int, default=10000)
    parser.add_argument("--emsize", type=int, default=32)
    parser.add_argument("--nhid", type=int, default=32)
    parser.add_argument("--nlayers", type=int, default=1)
    parser.add_argument("--lr", type=float, default=20)
    parser.add_argument("--clip", type=float, default=0.25)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch_size", type=int, default=10)
    parser.add_argument("--bptt", type=int, default=20)
    parser.add_argument("--follow", type=float, default=0.7, help="share of tokens that are their predecessor's successor")
    parser.add_argument("--train-tokens", type=int, default=8000)
    parser.add_argument("--zipf", type=float, default=1.2, help="Zipf exponent of the unigram frequencies")
    parser.add_argument("--seed", type=int, default=1111)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    n = args.train_tokens
    corpus = synthetic_corpus(args.ntokens, n + 1000 + 1000, args.seed, args.follow, args.zipf)
    eval_batch_size = 10
    train_data = batchify(corpus[:n], args.batch_size)
    val_data = batchify(corpus[n:n + 1000], eval_batch_size)
    test_data = batchify(corpus[n + 1000:], eval_batch_size)

    model = RNNModel(args.ntokens, args.emsize, args.nhid, args.nlayers)
    criterion = nn.NLLLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    best_val_loss = None
    for epoch in range(1, args.epochs + 1):
        model.train()
        total_loss = 0.
        hidden = model.init_hidden(args.batch_size)
        for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
            data, targets = get_batch(train_data, i, args.bptt)
            hidden = repackage_hidden(hidden)
            optimizer.zero_grad()
            output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            total_loss += loss.item()
            if batch % args.log_interval == 0 and batch > 0:
                cur_loss = total_loss / args.log_interval
                print("| epoch {:3d} | {:5d}/{:5d} batches | lr {:02.2f} | loss {:5.2f} | ppl {:8.2f}".format(
                    epoch, batch, len(train_data) // args.bptt, optimizer.param_groups[0]["lr"], cur_loss, math.exp(cur_loss)))
                total_loss = 0
        val_loss = evaluate(model, criterion, val_data, args.bptt, eval_batch_size)
        print("| end of epoch {:3d} | valid loss {:5.2f} | valid ppl {:8.2f}".format(epoch, val_loss, math.exp(val_loss)))
        if best_val_loss is None or val_loss < best_val_loss:
            best_val_loss = val_loss
        else:
            for group in optimizer.param_groups:
                group["lr"] /= 4.0
    test_loss = evaluate(model, criterion, test_data, args.bptt, eval_batch_size)
    print("| End of training | test loss {:5.2f} | test ppl {:8.2f}".format(test_loss, math.exp(test_loss)))


if __name__ == "__main__":
    main()
