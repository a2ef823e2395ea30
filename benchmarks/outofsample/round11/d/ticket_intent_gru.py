"""Intent routing for support tickets: a GRU over word ids, 5 queues.

Tickets are generated from a small template grammar (queue keywords mixed into
filler vocabulary), tokenised to ids and padded to a fixed length for batching.
"""
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

SEED = 7
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

VOCAB = 600
N_QUEUES = 5
MAX_LEN = 120
PAD = 0


def make_tickets(n, rng):
    # ids 1..49 are queue keywords (10 per queue), the rest is filler
    X = np.full((n, MAX_LEN), PAD, dtype=np.int64)
    lengths = rng.integers(6, 30, size=n)
    y = rng.integers(0, N_QUEUES, size=n)
    for i in range(n):
        L = lengths[i]
        toks = rng.integers(50, VOCAB, size=L)
        k = rng.integers(2, 5)
        pos = rng.choice(L, size=k, replace=False)
        toks[pos] = 1 + 10 * y[i] + rng.integers(0, 10, size=k)
        # a stray keyword from another queue now and then
        if rng.random() < 0.3:
            other = (y[i] + rng.integers(1, N_QUEUES)) % N_QUEUES
            toks[rng.integers(0, L)] = 1 + 10 * other + rng.integers(0, 10)
        X[i, :L] = toks
    return torch.from_numpy(X), torch.from_numpy(lengths), torch.from_numpy(y)


class IntentGRU(nn.Module):
    def __init__(self, vocab, emb=48, hidden=64, n_out=N_QUEUES):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.gru = nn.GRU(emb, hidden, batch_first=True)
        self.drop = nn.Dropout(0.2)
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x, lengths):
        out, _ = self.gru(self.emb(x))
        last = out[:, -1]
        return self.head(self.drop(last))


def evaluate(model, loader):
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for x, lengths, y in loader:
            logits = model(x, lengths)
            loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            total += len(y)
    return loss_sum / total, correct / total


def main():
    rng = np.random.default_rng(SEED)
    Xtr, Ltr, ytr = make_tickets(1600, rng)
    Xva, Lva, yva = make_tickets(500, rng)
    train_loader = DataLoader(TensorDataset(Xtr, Ltr, ytr), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xva, Lva, yva), batch_size=256)

    model = IntentGRU(VOCAB)
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)

    for epoch in range(1, 7):
        model.train()
        running = 0.0
        for x, lengths, y in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x, lengths), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            running += loss.item() * len(y)
        scheduler.step()
        val_loss, val_acc = evaluate(model, val_loader)
        print(f"epoch {epoch}  train_loss {running / len(train_loader.dataset):.4f}  "
              f"val_loss {val_loss:.4f}  val_acc {val_acc:.4f}")

    print(f"final val_acc {val_acc:.4f}")


if __name__ == "__main__":
    main()
