"""Route customer-support tickets to one of six queues (billing, login, shipping, refunds,
bugs, account) from their tokenised text.  fastText-style EmbeddingBag classifier over
variable-length tickets, offsets instead of padding."""
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

VOCAB, N_QUEUES = 6000, 6


def synth_tickets(n, rng):
    """Zipfian background vocabulary plus queue-specific keywords; long tickets (log files,
    pasted e-mails) are common."""
    background = 1.0 / np.arange(1, VOCAB + 1) ** 1.05
    background /= background.sum()
    topic_words = [rng.choice(np.arange(200, VOCAB), size=60, replace=False) for _ in range(N_QUEUES)]
    docs, labels = [], []
    for _ in range(n):
        q = rng.integers(N_QUEUES)
        length = int(np.clip(rng.lognormal(5.0, 0.5), 30, 600))
        n_topic = rng.binomial(length, 0.08)
        toks = np.concatenate([rng.choice(VOCAB, size=length - n_topic, p=background),
                               rng.choice(topic_words[q], size=n_topic)])
        docs.append(torch.from_numpy(rng.permutation(toks)).long())
        labels.append(q)
    return docs, labels


def collate(batch):
    docs, labels = zip(*batch)
    offsets = torch.tensor([0] + [len(d) for d in docs[:-1]]).cumsum(0)
    return torch.cat(docs), offsets, torch.tensor(labels)


class BagClassifier(nn.Module):
    def __init__(self, vocab, dim=64, hidden=128, n_classes=N_QUEUES):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, dim, mode="sum")
        self.head = nn.Sequential(nn.Linear(dim, hidden), nn.Tanh(), nn.Linear(hidden, n_classes))

    def forward(self, tokens, offsets):
        return self.head(self.bag(tokens, offsets))


def run_epoch(model, loader, optimizer=None):
    train = optimizer is not None
    model.train(train)
    total, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for tokens, offsets, y in loader:
            logits = model(tokens, offsets)
            loss = nn.functional.cross_entropy(logits, y)
            if train:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            n += len(y)
    return total / n, correct / n


def main():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    docs, labels = synth_tickets(5000, rng)
    train = list(zip(docs[:4000], labels[:4000]))
    valid = list(zip(docs[4000:], labels[4000:]))
    train_loader = DataLoader(train, batch_size=32, shuffle=True, collate_fn=collate)
    valid_loader = DataLoader(valid, batch_size=256, collate_fn=collate)

    model = BagClassifier(VOCAB)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    epochs = 6
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    for epoch in range(1, epochs + 1):
        t0 = time.time()
        tr_loss, tr_acc = run_epoch(model, train_loader, optimizer)
        va_loss, va_acc = run_epoch(model, valid_loader)
        scheduler.step()
        print(f"| epoch {epoch} | lr {scheduler.get_last_lr()[0]:.4f} | train loss {tr_loss:.4f} "
              f"acc {tr_acc:.3f} | valid loss {va_loss:.4f} acc {va_acc:.3f} | {time.time() - t0:.1f}s")
    print(f"final valid_acc {va_acc:.4f}")


if __name__ == "__main__":
    main()
