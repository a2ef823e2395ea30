"""Route luthier workshop intake tickets to the bench that does the job.

Tickets are short free-text notes written at the counter ("buzz on 3rd string above
7th fret, neck feels back-bowed ..."), tokenised into a shop vocabulary. The model is the
EmbeddingBag classifier from the PyTorch text tutorial; the embedding table is sparse,
so it gets SparseAdam while the dense layers use AdamW.
"""
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

BENCHES = ["fretwork", "neck_reset", "crack_repair", "setup", "electronics", "refinish"]
VOCAB = 1800
N_KEY = 40  # bench-specific words per bench


def write_tickets(n, rng):
    generic = np.arange(len(BENCHES) * N_KEY, VOCAB)
    zipf = 1.0 / np.arange(1, len(generic) + 1) ** 0.9
    zipf /= zipf.sum()
    tickets, labels = [], []
    for _ in range(n):
        b = rng.integers(len(BENCHES))
        length = rng.integers(12, 36)
        n_key = rng.binomial(length, 0.2)
        own = rng.integers(b * N_KEY, (b + 1) * N_KEY, n_key)
        # counter staff often mention a neighbouring job too
        other_b = (b + rng.integers(1, len(BENCHES))) % len(BENCHES)
        n_other = rng.binomial(length, 0.05)
        other = rng.integers(other_b * N_KEY, (other_b + 1) * N_KEY, n_other)
        rest = rng.choice(generic, length - n_key - n_other, p=zipf)
        toks = np.concatenate([own, other, rest])
        rng.shuffle(toks)
        tickets.append(torch.as_tensor(toks, dtype=torch.int64))
        labels.append(int(b))
    return list(zip(labels, tickets))


def collate_batch(batch):
    labels, texts, offsets = [], [], [0]
    for label, toks in batch:
        labels.append(label)
        texts.append(toks)
        offsets.append(toks.numel())
    offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
    return torch.tensor(labels), torch.cat(texts), offsets


class TicketClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean", sparse=True)
        self.fc1 = nn.Linear(embed_dim, 64)
        self.fc2 = nn.Linear(64, num_class)
        self.drop = nn.Dropout(0.3)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)

    def forward(self, text, offsets):
        h = self.embedding(text, offsets)
        return self.fc2(self.drop(torch.relu(self.fc1(self.drop(h)))))


def evaluate(model, loader):
    model.eval()
    correct, count = 0, 0
    with torch.no_grad():
        for label, text, offsets in loader:
            correct += (model(text, offsets).argmax(1) == label).sum().item()
            count += label.size(0)
    return correct / count


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(5)
    train_data = write_tickets(3000, rng)
    valid_data = write_tickets(600, rng)
    test_data = write_tickets(600, rng)

    train_loader = DataLoader(train_data, batch_size=32, shuffle=True, collate_fn=collate_batch)
    valid_loader = DataLoader(valid_data, batch_size=128, collate_fn=collate_batch)
    test_loader = DataLoader(test_data, batch_size=128, collate_fn=collate_batch)

    model = TicketClassifier(VOCAB, 32, len(BENCHES))
    criterion = nn.CrossEntropyLoss()
    sparse_opt = torch.optim.SparseAdam(list(model.embedding.parameters()), lr=5e-3)
    dense_opt = torch.optim.AdamW(list(model.fc1.parameters()) + list(model.fc2.parameters()),
                                  lr=3e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(dense_opt, step_size=4, gamma=0.5)

    ckpt = os.path.join(tempfile.mkdtemp(), "ticket_router.pt")
    best_acc = 0.0
    for epoch in range(1, 9):
        model.train()
        total_loss, seen = 0.0, 0
        for label, text, offsets in train_loader:
            sparse_opt.zero_grad()
            dense_opt.zero_grad()
            loss = criterion(model(text, offsets), label)
            loss.backward()
            sparse_opt.step()
            dense_opt.step()
            total_loss += loss.item() * label.size(0)
            seen += label.size(0)
        scheduler.step()
        val_acc = evaluate(model, valid_loader)
        if val_acc > best_acc:
            best_acc = val_acc
            torch.save(model, ckpt)
        print(f"| epoch {epoch:2d} | train loss {total_loss / seen:.4f} | valid accuracy {val_acc:.3f}")

    best = torch.load(ckpt, weights_only=False)
    print(f"final: test accuracy {evaluate(best, test_loader):.3f} (best valid {best_acc:.3f})")


if __name__ == "__main__":
    main()
