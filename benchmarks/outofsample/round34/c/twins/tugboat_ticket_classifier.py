"""Harbour tug dispatch: route a job ticket to the right crew type from its free-text tokens.

Tickets are tokenised upstream (vessel, berth, manoeuvre, cargo and weather words are
already ids). A bag-of-embeddings classifier in the style of PyTorch's text
classification tutorial: flat token stream + offsets into an nn.EmbeddingBag.
"""
import random
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

JOBS = ["berthing_assist", "harbour_tow", "escort", "salvage_standby", "barge_shift", "pilot_transfer"]
VOCAB = 2000
N_COMMON = 400          # vessel names, berths, times: shared by every job type
EPOCHS = 10


def make_tickets(n, rng):
    # every job type has a pool of typical words; pools overlap with their neighbours
    pools = [rng.choice(np.arange(N_COMMON, VOCAB), size=200, replace=False) for _ in JOBS]
    tickets = []
    for _ in range(n):
        job = int(rng.integers(len(JOBS)))
        length = int(rng.integers(10, 26))
        n_typ = rng.binomial(length, 0.4)
        other = (job + rng.choice([-1, 1])) % len(JOBS)
        n_other = rng.binomial(length - n_typ, 0.25)
        toks = np.concatenate([
            rng.choice(pools[job], size=n_typ),
            rng.choice(pools[other], size=n_other),
            rng.integers(0, N_COMMON, size=length - n_typ - n_other),
        ])
        rng.shuffle(toks)
        tickets.append((job, torch.tensor(toks, dtype=torch.int64)))
    return tickets


def collate_batch(batch):
    labels, texts, offsets = [], [], [0]
    for job, toks in batch:
        labels.append(job)
        texts.append(toks)
        offsets.append(toks.numel())
    offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
    return torch.tensor(labels), torch.cat(texts), offsets


class TicketClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean")
        self.fc = nn.Sequential(nn.Linear(embed_dim, 64), nn.ReLU(), nn.Linear(64, num_class))

    def forward(self, text, offsets):
        return self.fc(self.embedding(text, offsets))


def train_epoch(model, loader, optimizer, criterion, epoch):
    model.train()
    total_acc, total_count, t0 = 0, 0, time.time()
    for idx, (label, text, offsets) in enumerate(loader):
        optimizer.zero_grad()
        predicted = model(text, offsets)
        loss = criterion(predicted, label)
        loss.backward()
        optimizer.step()
        total_acc += (predicted.argmax(1) == label).sum().item()
        total_count += label.size(0)
    print(f"| epoch {epoch:3d} | train acc {total_acc / total_count:8.3f} | {time.time() - t0:5.2f}s")


def evaluate(model, loader, criterion):
    model.eval()
    total_loss, total_acc, total_count = 0.0, 0, 0
    with torch.no_grad():
        for label, text, offsets in loader:
            predicted = model(text, offsets)
            total_loss += criterion(predicted, label).item() * label.size(0)
            total_acc += (predicted.argmax(1) == label).sum().item()
            total_count += label.size(0)
    return total_loss / total_count, total_acc / total_count


def main():
    random.seed(5); np.random.seed(5); torch.manual_seed(5)
    rng = np.random.default_rng(5)
    tickets = make_tickets(7000, rng)
    train_t, valid_t, test_t = tickets[:5000], tickets[5000:6000], tickets[6000:]
    train_dl = DataLoader(train_t, batch_size=64, shuffle=True, collate_fn=collate_batch)
    valid_dl = DataLoader(valid_t, batch_size=256, collate_fn=collate_batch)
    test_dl = DataLoader(test_t, batch_size=256, collate_fn=collate_batch)

    model = TicketClassifier(VOCAB, 32, len(JOBS))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW([
        {"params": model.embedding.parameters(), "lr": 4e-3, "weight_decay": 0.0},
        {"params": model.fc.parameters(), "lr": 1e-3},
    ], weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)

    best_loss, best_state = float("inf"), None
    for epoch in range(1, EPOCHS + 1):
        train_epoch(model, train_dl, optimizer, criterion, epoch)
        val_loss, val_acc = evaluate(model, valid_dl, criterion)
        print(f"| end of epoch {epoch:3d} | valid loss {val_loss:.4f} | valid acc {val_acc:.3f}")
        if val_loss < best_loss:
            best_loss = val_loss
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        scheduler.step()
    model.load_state_dict(best_state)
    test_loss, test_acc = evaluate(model, test_dl, criterion)
    print(f"FINAL test_loss {test_loss:.4f} test_acc {test_acc:.4f}")


if __name__ == "__main__":
    main()
