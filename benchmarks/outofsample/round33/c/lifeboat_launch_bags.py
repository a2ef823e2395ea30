"""Lifeboat station launch logs -> service type.

Each launch record is a variable-length bag of coded log events (pager codes, sea-state
and wind codes, crew roles on board, kit checks).  We classify the service the boat ended
up performing.  Bag-of-codes model, plain SGD written out by hand as in the station's
older analysis scripts.
"""
import math
import numpy as np
import torch
from torch import nn

torch.manual_seed(7)
rng = np.random.default_rng(7)

VOCAB = 320
SERVICES = ["medevac", "tow", "person_in_water", "search", "false_alarm"]
N_TRAIN, N_VAL = 3200, 800


def make_logs(n):
    background = rng.dirichlet(np.full(VOCAB, 0.3))
    topics = [rng.dirichlet(np.full(VOCAB, 0.05)) for _ in SERVICES]
    labels = rng.integers(0, len(SERVICES), n)
    bags = []
    for c in labels:
        length = int(rng.integers(24, 72))
        share = rng.uniform(0.15, 0.35)
        probs = share * topics[c] + (1 - share) * background
        bags.append(rng.choice(VOCAB, size=length, p=probs))
    return bags, labels


bags, labels = make_logs(N_TRAIN + N_VAL)


def to_batch(idx):
    seqs = [torch.as_tensor(bags[i], dtype=torch.long) for i in idx]
    offsets = torch.tensor([0] + [len(s) for s in seqs[:-1]]).cumsum(0)
    return torch.cat(seqs), offsets, torch.as_tensor(labels[idx], dtype=torch.long)


class LaunchLogClassifier(nn.Module):
    def __init__(self, vocab, dim=64, hidden=64, n_out=5):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, dim, mode="sum")
        self.act = nn.Tanh()
        self.hidden = nn.Linear(dim, hidden)
        self.act2 = nn.Tanh()
        self.out = nn.Linear(hidden, n_out)

    def forward(self, codes, offsets):
        h = self.act(self.bag(codes, offsets))
        h = self.act2(self.hidden(h))
        return self.out(h)


model = LaunchLogClassifier(VOCAB)
criterion = nn.CrossEntropyLoss()
lr = 0.5
batch_size = 64
train_idx = np.arange(N_TRAIN)
val_idx = np.arange(N_TRAIN, N_TRAIN + N_VAL)

for epoch in range(20):
    model.train()
    perm = rng.permutation(train_idx)
    total, seen = 0.0, 0
    for start in range(0, len(perm), batch_size):
        codes, offsets, y = to_batch(perm[start:start + batch_size])
        loss = criterion(model(codes, offsets), y)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        total += loss.item() * len(y)
        seen += len(y)

    model.eval()
    with torch.no_grad():
        codes, offsets, y = to_batch(val_idx)
        logits = model(codes, offsets)
        val_loss = criterion(logits, y).item()
        val_acc = (logits.argmax(1) == y).float().mean().item()
    print(f"epoch {epoch:2d}  train_loss {total / seen:.4f}  val_loss {val_loss:.4f}  val_acc {val_acc:.4f}")

print(f"final val_acc {val_acc:.4f}")
