import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata2 import zipf_corpus


class LanguageModel(nn.Module):
    def __init__(self, vocab, dim=64):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, dim, batch_first=True)
        self.out = nn.AdaptiveLogSoftmaxWithLoss(dim, vocab, cutoffs=[100, 1000], div_value=4.0)

    def hidden(self, tokens):
        h, _ = self.lstm(self.embed(tokens))
        return h.reshape(-1, h.size(-1))

    def forward(self, tokens, targets):
        return self.out(self.hidden(tokens), targets.reshape(-1))


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    vocab, length = 10000, 32
    corpus = torch.tensor(zipf_corpus(n_tokens=60000, vocab=vocab, seed=4))
    split = int(0.9 * len(corpus))
    n = (split - 1) // length
    x = corpus[: n * length].view(n, length)
    y = corpus[1 : n * length + 1].view(n, length)
    val = corpus[split:]
    m = (len(val) - 1) // length
    x_val, y_val = val[: m * length].view(m, length), val[1 : m * length + 1].view(m, length)
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)

    model = LanguageModel(vocab)
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)

    for epoch in range(2):
        model.train()
        for step, (xb, yb) in enumerate(loader):
            optimizer.zero_grad()
            loss = model(xb, yb).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.3f}")

    model.eval()
    with torch.no_grad():
        pred = model.out.predict(model.hidden(x_val))
        nll = model(x_val, y_val).loss.item()
    accuracy = (pred == y_val.reshape(-1)).float().mean().item()
    print(f"val nll {nll:.3f}")
    print(f"final_val_metric={accuracy:.4f}")


if __name__ == "__main__":
    main()
