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


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp=64, nhid=64, dropout=0.1):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.GRU(ninp, nhid)
        self.decoder = nn.Linear(nhid, ntoken)
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, tokens, hidden=None):
        output, hidden = self.rnn(self.drop(self.encoder(tokens)), hidden)
        return self.decoder(self.drop(output)), hidden


def evaluate(model, source, bptt, ntoken):
    model.eval()
    correct, count, hidden = 0, 0, None
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, bptt):
            data, targets = get_batch(source, i, bptt)
            output, hidden = model(data, hidden)
            correct += (output.argmax(dim=-1) == targets).sum().item()
            count += targets.numel()
    return correct / count


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    ntoken = 10000
    corpus = torch.tensor(zipf_corpus(n_tokens=40000, vocab=ntoken, seed=1))
    split = int(0.9 * len(corpus))
    train_data = batchify(corpus[:split], 16)
    val_data = batchify(corpus[split:], 8)
    bptt = 32

    model = RNNModel(ntoken)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(1):
        model.train()
        hidden = None
        for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
            data, targets = get_batch(train_data, i, bptt)
            if hidden is not None:
                hidden = hidden.detach()
            optimizer.zero_grad()
            output, hidden = model(data, hidden)
            loss = criterion(output.view(-1, ntoken), targets.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()
            if batch % 20 == 0:
                print(f"batch {batch} loss {loss.item():.3f} ppl {np.exp(loss.item()):.1f}")
        print(f"epoch {epoch} val accuracy {evaluate(model, val_data, bptt, ntoken):.3f}")

    print(f"final_val_metric={evaluate(model, val_data, bptt, ntoken):.4f}")


if __name__ == "__main__":
    main()
