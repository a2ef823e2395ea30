"""Support-ticket routing: bag-of-tokens classifier over a 30k-token vocabulary.

Micro-batches of 32 with gradients accumulated over 4 of them (effective batch 128), bf16
autocast for the forward pass, and a linear warm-up into cosine decay stepped once per
optimizer update.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

SEED = 11
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

VOCAB = 30000
N_CLASSES = 6
PAD = 0


def build_corpus(n_docs):
    ranks = np.arange(1, VOCAB)
    zipf = 1.0 / ranks ** 1.05
    zipf /= zipf.sum()
    topic_words = [rng.choice(np.arange(1, VOCAB), 120, replace=False) for _ in range(N_CLASSES)]
    docs, labels = [], []
    for _ in range(n_docs):
        c = int(rng.integers(N_CLASSES))
        length = int(rng.integers(12, 60))
        n_topic = rng.binomial(length, 0.18)
        words = np.concatenate([rng.choice(ranks, length - n_topic, p=zipf),
                                rng.choice(topic_words[c], n_topic)])
        rng.shuffle(words)
        docs.append(words.astype(np.int64))
        labels.append(c)
    return docs, np.array(labels)


class Tickets(Dataset):
    def __init__(self, docs, labels):
        self.docs, self.labels = docs, labels

    def __len__(self):
        return len(self.docs)

    def __getitem__(self, i):
        return torch.from_numpy(self.docs[i]), int(self.labels[i])


def collate(batch):
    lengths = max(len(d) for d, _ in batch)
    x = torch.full((len(batch), lengths), PAD, dtype=torch.long)
    for i, (d, _) in enumerate(batch):
        x[i, :len(d)] = d
    return x, torch.tensor([c for _, c in batch])


docs, labels = build_corpus(7000)
train_ds = Tickets(docs[:6000], labels[:6000])
val_ds = Tickets(docs[6000:], labels[6000:])
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True, collate_fn=collate)
val_loader = DataLoader(val_ds, batch_size=256, collate_fn=collate)


class BagClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 64, padding_idx=PAD)
        self.head = nn.Sequential(nn.LayerNorm(64), nn.Linear(64, 64), nn.GELU(), nn.Dropout(0.1),
                                  nn.Linear(64, N_CLASSES))

    def forward(self, tokens):
        mask = (tokens != PAD).unsqueeze(-1).float()
        pooled = (self.emb(tokens) * mask).sum(1) / mask.sum(1).clamp(min=1)
        return self.head(pooled)


model = BagClassifier()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)

ACCUM = 4
EPOCHS = 6
updates_per_epoch = math.ceil(len(train_loader) / ACCUM)
total_updates = EPOCHS * updates_per_epoch
warmup = int(0.1 * total_updates)


def lr_lambda(step):
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total_updates - warmup)
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)


def evaluate():
    model.eval()
    correct, nll = 0, 0.0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for xb, yb in val_loader:
            logits = model(xb).float()
            nll += criterion(logits, yb).item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
    return correct / len(val_ds), nll / len(val_ds)


for epoch in range(EPOCHS):
    model.train()
    optimizer.zero_grad(set_to_none=True)
    running = 0.0
    for i, (xb, yb) in enumerate(train_loader):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(xb)
        loss = criterion(logits.float(), yb) / ACCUM
        loss.backward()
        running += loss.item()
        if (i + 1) % ACCUM == 0 or (i + 1) == len(train_loader):
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
    acc, val_loss = evaluate()
    print(f"epoch {epoch + 1}  train loss {running * ACCUM / len(train_loader):.4f}  "
          f"lr {scheduler.get_last_lr()[0]:.2e}  val loss {val_loss:.4f}  val acc {acc:.4f}")

majority = np.bincount(labels[:6000]).max() / 6000
print(f"baseline (majority class) accuracy {majority:.4f}")
print(f"final val accuracy {evaluate()[0]:.4f}")
