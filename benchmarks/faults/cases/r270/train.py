import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from benchmarks.faults.casedata2 import zipf_corpus


class TokenWindows(Dataset):
    def __init__(self, tokens, length):
        self.tokens = torch.as_tensor(tokens)
        self.length = length

    def __len__(self):
        return (len(self.tokens) - 1) // self.length

    def __getitem__(self, i):
        start = i * self.length
        chunk = self.tokens[start : start + self.length + 1]
        return chunk[:-1], chunk[1:]


class GRULanguageModel(nn.Module):
    def __init__(self, vocab, dim=48, hidden=96):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.gru = nn.GRU(dim, hidden, batch_first=True)
        self.proj = nn.Linear(hidden, vocab)

    def forward(self, tokens):
        h, _ = self.gru(self.embedding(tokens))
        return self.proj(h)


def accuracy(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(dim=-1) == yb).sum().item()
            total += yb.numel()
    model.train()
    return correct / total


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    vocab = 10000
    tokens = zipf_corpus(n_tokens=40000, vocab=vocab, seed=6)
    split = int(0.9 * len(tokens))
    train_loader = DataLoader(TokenWindows(tokens[:split], 24), batch_size=12, shuffle=True)
    val_loader = DataLoader(TokenWindows(tokens[split:], 24), batch_size=64)

    model = GRULanguageModel(vocab)
    accumulation = 2
    epochs = 1
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2, total_steps=epochs * (len(train_loader) // accumulation + 1))
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(epochs):
        optimizer.zero_grad()
        for i, (xb, yb) in enumerate(train_loader):
            logits = model(xb)
            loss = loss_fn(logits.reshape(-1, vocab), yb.reshape(-1)) / accumulation
            loss.backward()
            if (i + 1) % accumulation == 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
            if i % 40 == 0:
                print(f"step {i} loss {accumulation * loss.item():.3f}")
        print(f"epoch {epoch} val accuracy {accuracy(model, val_loader):.3f}")

    print(f"final_val_metric={accuracy(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
