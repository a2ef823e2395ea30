import numpy as np
import torch
from torch import nn

from benchmarks.faults.casedata2 import zipf_corpus


class LanguageModel(nn.Module):
    def __init__(self, ntoken, ninp=64, nhid=96, nlayers=2):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, batch_first=True)
        self.decoder = nn.Linear(nhid, ntoken)

    def forward(self, tokens):
        out, _ = self.rnn(self.encoder(tokens))
        return self.decoder(out)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data[: nbatch * bsz].view(bsz, -1)


def get_batch(source, i, bptt):
    seq_len = min(bptt, source.size(1) - 1 - i)
    return source[:, i:i + seq_len], source[:, i + 1:i + 1 + seq_len]


def accuracy(model, source, bptt):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for i in range(0, source.size(1) - 1, bptt):
            data, targets = get_batch(source, i, bptt)
            correct += (model(data).argmax(dim=-1) == targets).sum().item()
            total += targets.numel()
    model.train()
    return correct / total


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    ntokens = 3000
    stream = torch.tensor(zipf_corpus(n_tokens=48_000, vocab=ntokens, seed=3))
    train_data = batchify(stream[:42_000], 20)
    val_data = batchify(stream[42_000:], 10)
    bptt = 35

    model = LanguageModel(ntokens)
    criterion = nn.CrossEntropyLoss()
    lr = 20.0
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)

    for epoch in range(1, 4):
        total_loss = 0.0
        for batch, i in enumerate(range(0, train_data.size(1) - 1, bptt)):
            data, targets = get_batch(train_data, i, bptt)
            optimizer.zero_grad()
            output = model(data)
            loss = criterion(output.reshape(-1, ntokens), targets.reshape(-1))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            optimizer.step()
            total_loss += loss.item()
        print(f"epoch {epoch} loss {total_loss / (batch + 1):.3f} val_acc {accuracy(model, val_data, bptt):.4f}")

    print(f"final_val_metric={accuracy(model, val_data, bptt):.4f}")


if __name__ == "__main__":
    main()
