"""Will this web session end in a purchase? GRU over the session's clickstream event ids.

Events: 0 = page_view ... 3 = add_to_cart, 7 = checkout_start, 10-12 = high-intent pages
(reviews, sizing, shipping), the rest are ordinary browsing events.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

VOCAB, SEQ_LEN = 32, 40


def make_sessions(n, rng):
    X = rng.integers(13, VOCAB, size=(n, SEQ_LEN))
    n_intent = rng.binomial(6, 0.35, size=n)
    y = np.empty(n, dtype=np.int64)
    for k in range(n):
        slots = rng.choice(SEQ_LEN, size=2 + n_intent[k], replace=False)
        a, c = slots[0], slots[1]
        X[k, a], X[k, c] = 3, 7
        X[k, slots[2:]] = rng.integers(10, 13, size=n_intent[k])
        score = 2.2 * (a < c) + 0.45 * n_intent[k] - 2.0 + rng.logistic(scale=0.35)
        y[k] = int(score > 0)
    return torch.from_numpy(X), torch.from_numpy(y)


class SessionGRU(nn.Module):
    def __init__(self, vocab=VOCAB, emb=24, hidden=64):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.gru = nn.GRU(emb, hidden, num_layers=1, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, tokens):
        out, _ = self.gru(self.emb(tokens))
        return self.head(out[:, -1])


@torch.no_grad()
def evaluate(model, loader, loss_fn):
    model.eval()
    tot, correct, n = 0.0, 0, 0
    for xb, yb in loader:
        logits = model(xb)
        tot += loss_fn(logits, yb).item() * len(yb)
        correct += (logits.argmax(1) == yb).sum().item()
        n += len(yb)
    return tot / n, correct / n


def main():
    torch.manual_seed(42)
    rng = np.random.default_rng(42)
    Xtr, ytr = make_sessions(3000, rng)
    Xva, yva = make_sessions(1000, rng)
    print(f"purchase rate train {ytr.float().mean():.3f} val {yva.float().mean():.3f}")
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=256)

    model = SessionGRU()
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=1)

    for epoch in range(1, 7):
        model.train()
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            opt.step()
        val_loss, val_acc = evaluate(model, val_loader, loss_fn)
        plateau.step(val_loss)
        print(f"epoch {epoch:2d}  train_loss {loss.item():.4f}  val_loss {val_loss:.4f}  val_acc {val_acc:.4f}")
    print(f"final val_acc={val_acc:.4f} val_loss={val_loss:.4f}")


if __name__ == "__main__":
    main()
