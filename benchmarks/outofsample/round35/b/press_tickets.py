"""Route job tickets at a letterpress print shop to the right press.

Tickets are free-text order notes (tokenised with the shop's 3,000-word vocabulary); the
routing label is the press that ended up printing the job (6 presses: platen, cylinder
proof press, Heidelberg windmill, Vandercook, foil stamper, die-cutter).
Bag-of-words model with a sparse embedding table, as recommended for large vocabularies.
"""
import argparse
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

VOCAB, N_CLASSES = 3000, 6


def make_tickets(n, rng):
    topic = rng.dirichlet(np.full(VOCAB, 0.05), size=N_CLASSES)    # press-specific words
    common = rng.dirichlet(np.full(VOCAB, 1.0))                     # shop jargon
    labels = rng.integers(0, N_CLASSES, n)
    docs = []
    for c in labels:
        length = rng.integers(8, 40)
        k = rng.binomial(length, 0.35)
        words = np.concatenate([rng.choice(VOCAB, k, p=topic[c]),
                                rng.choice(VOCAB, length - k, p=common)])
        docs.append(torch.from_numpy(rng.permutation(words)).long())
    return docs, torch.from_numpy(labels).long()


class TicketRouter(nn.Module):
    def __init__(self, vocab, dim, n_classes):
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab, dim, mode="mean", sparse=True)
        self.fc = nn.Linear(dim, n_classes)
        nn.init.uniform_(self.embed.weight, -0.5, 0.5)

    def forward(self, text, offsets):
        return self.fc(self.embed(text, offsets))


def collate(docs, labels, idx):
    batch = [docs[i] for i in idx]
    offsets = torch.tensor([0] + [len(d) for d in batch[:-1]]).cumsum(0)
    return torch.cat(batch), offsets, labels[idx]


def evaluate(model, docs, labels, bs=500):
    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for s in range(0, len(docs), bs):
            text, offsets, y = collate(docs, labels, np.arange(s, min(s + bs, len(docs))))
            logits = model(text, offsets)
            total_loss += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
    return total_loss / len(docs), correct / len(docs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()

    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    docs, labels = make_tickets(4000, rng)
    tr_docs, tr_y = docs[:3200], labels[:3200]
    va_docs, va_y = docs[3200:], labels[3200:]

    model = TicketRouter(VOCAB, 32, N_CLASSES)
    sparse_opt = torch.optim.SparseAdam(list(model.embed.parameters()), lr=1e-2)
    dense_opt = torch.optim.Adam(model.fc.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(dense_opt, step_size=3, gamma=0.5)

    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = rng.permutation(len(tr_docs))
        for s in range(0, len(perm), args.batch_size):
            text, offsets, y = collate(tr_docs, tr_y, perm[s:s + args.batch_size])
            sparse_opt.zero_grad()
            dense_opt.zero_grad()
            loss = F.cross_entropy(model(text, offsets), y)
            loss.backward()
            dense_opt.step()
        scheduler.step()
        val_loss, val_acc = evaluate(model, va_docs, va_y)
        print(f"epoch {epoch}  last_batch_loss {loss.item():.4f}  val_loss {val_loss:.4f}  val_acc {val_acc:.4f}")

    print(f"final val_acc {val_acc:.4f}  val_loss {val_loss:.4f}")


if __name__ == "__main__":
    main()
