"""Product-review polarity (negative / positive) from tokenised review text.

fastText-style model: sparse bag-of-token embeddings (SparseAdam) feeding a small dense head (Adam).
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

VOCAB = 4000
MAX_LEN = 48
PAD = 0


def make_reviews(n, rng):
    """Token ids with a Zipf background; ids 1..100 lean positive, 101..200 negative,
    201..210 are negators that flip the next opinion word."""
    strength = rng.uniform(0.8, 0.98, 200)
    ranks = np.arange(211, VOCAB)
    p_bg = 1.0 / (ranks - 200) ** 1.05
    p_bg /= p_bg.sum()
    X = np.zeros((n, MAX_LEN), dtype=np.int64)
    y = rng.integers(0, 2, n)
    for i in range(n):
        length = rng.integers(14, MAX_LEN + 1)
        toks = rng.choice(ranks, size=length, p=p_bg)
        n_op = rng.integers(3, 7)
        pos = np.sort(rng.choice(np.arange(1, length), size=n_op, replace=False))
        for j in pos:
            word = rng.integers(0, 200)
            agrees = rng.random() < strength[word]
            positive_word = word < 100
            if rng.random() < 0.06:
                toks[j - 1] = rng.integers(201, 211)
                agrees = not agrees
            if agrees != (positive_word == bool(y[i])):
                word = (word + 100) % 200
            toks[j] = word + 1
        X[i, :length] = toks
    return X, y.astype(np.int64)


class BagClassifier(nn.Module):
    def __init__(self, vocab, dim=64, hidden=64):
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab, dim, mode="mean", padding_idx=PAD, sparse=True)
        self.head = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, tokens):
        return self.head(self.embed(tokens))


def main():
    torch.manual_seed(21)
    rng = np.random.default_rng(21)
    X, y = make_reviews(9000, rng)
    Xtr, ytr, Xva, yva = X[:7500], y[:7500], X[7500:], y[7500:]
    print(f"{len(Xtr)} train / {len(Xva)} val reviews, positive share {ytr.mean():.3f}")

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=500)

    model = BagClassifier(VOCAB)
    sparse_opt = torch.optim.SparseAdam(list(model.embed.parameters()), lr=2e-3)
    dense_opt = torch.optim.Adam(model.head.parameters(), lr=1e-3)

    for epoch in range(1, 5):
        model.train()
        seen, total = 0, 0.0
        for tokens, labels in train_loader:
            sparse_opt.zero_grad()
            dense_opt.zero_grad()
            loss = F.cross_entropy(model(tokens), labels)
            loss.backward()
            sparse_opt.step()
            dense_opt.step()
            total += loss.item() * len(labels)
            seen += len(labels)

        model.eval()
        correct = 0
        val_loss = 0.0
        with torch.no_grad():
            for tokens, labels in val_loader:
                logits = model(tokens)
                val_loss += F.cross_entropy(logits, labels, reduction="sum").item()
                correct += (logits.argmax(1) == labels).sum().item()
        print(f"epoch {epoch}: train loss {total / seen:.4f}  val loss {val_loss / len(yva):.4f}  "
              f"val acc {correct / len(yva):.4f}")

    print(f"final val accuracy {correct / len(yva):.4f}")


if __name__ == "__main__":
    main()
