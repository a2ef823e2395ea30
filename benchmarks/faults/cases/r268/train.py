import math

import numpy as np
import torch
from torch import nn

from benchmarks.faults.casedata2 import zipf_corpus


def batchify(data, batch_size):
    n = data.size(0) // batch_size
    return data[: n * batch_size].view(batch_size, -1).t().contiguous()


def get_batch(source, i, bptt):
    length = min(bptt, len(source) - 1 - i)
    return source[i : i + length], source[i + 1 : i + 1 + length]


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


class RNNModel(nn.Module):
    def __init__(self, ntoken, nhid=64, nlayers=1):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, nhid)
        self.rnn = nn.LSTM(nhid, nhid, nlayers)
        self.decoder = nn.Linear(nhid, ntoken)
        self.decoder.weight = self.encoder.weight
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, tokens, hidden=None):
        output, hidden = self.rnn(self.encoder(tokens), hidden)
        return self.decoder(output), hidden


def evaluate(model, source, bptt, ntoken, criterion):
    model.eval()
    total_loss, correct, count, hidden = 0.0, 0, 0, None
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, bptt):
            data, targets = get_batch(source, i, bptt)
            output, hidden = model(data, hidden)
            total_loss += len(data) * criterion(output.view(-1, ntoken), targets.reshape(-1)).item()
            correct += (output.argmax(dim=-1) == targets).sum().item()
            count += targets.numel()
    return total_loss / (len(source) - 1), correct / count


def main():
    torch.manual_seed(0)
    ntoken = 10000
    corpus = torch.tensor(zipf_corpus(n_tokens=40000, vocab=ntoken, seed=2))
    split = int(0.9 * len(corpus))
    train_data = batchify(corpus[:split], 16)
    val_data = batchify(corpus[split:], 8)
    bptt = 32
    lr = 20.0
    clip = 0.25

    model = RNNModel(ntoken)
    criterion = nn.CrossEntropyLoss()

    model.train()
    hidden = None
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i, bptt)
        if hidden is not None:
            hidden = repackage_hidden(hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output.view(-1, ntoken), targets.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        if batch % 20 == 0:
            print(f"batch {batch} lr {lr:.1f} loss {loss.item():.3f} ppl {math.exp(loss.item()):.1f}")

    val_loss, val_acc = evaluate(model, val_data, bptt, ntoken, criterion)
    print(f"val loss {val_loss:.3f} ppl {math.exp(val_loss):.1f}")
    print(f"final_val_metric={val_acc:.4f}")


if __name__ == "__main__":
    main()
