"""Intent classification for a support chatbot with a small Transformer encoder.

Utterances are token ids (a synthetic vocabulary of fillers, intent keywords and
keywords shared by related intents), padded to the longest utterance in the batch.
Standard recipe: AdamW, linear warm-up then cosine decay (stepped per batch),
label smoothing, gradient clipping, masked mean pooling.
"""
import math
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

SEED = 7
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

PAD = 0
N_INTENTS = 8
VOCAB = 400
FILLERS = np.arange(1, 150)          # "the", "please", "my", ...
KEYWORDS = np.arange(150, 150 + N_INTENTS * 20).reshape(N_INTENTS, 20)
SHARED = np.arange(310, 400)          # words that appear in pairs of related intents


def make_utterances(n, rng):
    pairs = {i: (i + 1) % N_INTENTS for i in range(N_INTENTS)}
    seqs, labels = [], []
    for _ in range(n):
        y = rng.integers(N_INTENTS)
        length = rng.integers(5, 24)
        toks = list(rng.choice(FILLERS, size=length))
        n_kw = rng.integers(2, 5)
        for _ in range(n_kw):
            src = y if rng.random() > 0.15 else pairs[y]
            toks[rng.integers(length)] = int(rng.choice(KEYWORDS[src]))
        # shared words carry weak evidence for an intent pair
        if rng.random() < 0.5:
            toks[rng.integers(length)] = int(SHARED[(min(y, pairs[y]) * 11 + rng.integers(11)) % len(SHARED)])
        seqs.append(np.array(toks, dtype=np.int64))
        labels.append(y)
    return seqs, np.array(labels)


class Utterances(Dataset):
    def __init__(self, seqs, labels):
        self.seqs, self.labels = seqs, labels

    def __len__(self):
        return len(self.seqs)

    def __getitem__(self, i):
        return torch.from_numpy(self.seqs[i]), int(self.labels[i])


def collate(batch):
    seqs, ys = zip(*batch)
    ids = nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=PAD)
    return ids, torch.tensor(ys)


class IntentEncoder(nn.Module):
    def __init__(self, vocab, n_classes, d_model=64, nhead=4, layers=2, max_len=64):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model, padding_idx=PAD)
        self.pos = nn.Embedding(max_len, d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=128, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, n_classes)

    def forward(self, ids):
        pad = ids.eq(PAD)
        pos = torch.arange(ids.size(1), device=ids.device).unsqueeze(0)
        h = self.tok(ids) + self.pos(pos)
        h = self.encoder(h, src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1).clamp(min=1.0)
        return self.head(self.norm(pooled))


def warmup_cosine(warmup, total):
    def f(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1 + math.cos(math.pi * progress))
    return f


def evaluate(model, loader):
    model.eval()
    correct = n = 0
    loss = 0.0
    with torch.no_grad():
        for ids, y in loader:
            logits = model(ids)
            loss += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            n += len(y)
    return loss / n, correct / n


def main():
    rng = np.random.default_rng(SEED)
    seqs, labels = make_utterances(3000, rng)
    train_ds = Utterances(seqs[:2400], labels[:2400])
    val_ds = Utterances(seqs[2400:], labels[2400:])
    train_loader = DataLoader(train_ds, batch_size=32, shuffle=True, collate_fn=collate)
    val_loader = DataLoader(val_ds, batch_size=256, collate_fn=collate)

    model = IntentEncoder(VOCAB, N_INTENTS)
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim < 2 or "norm" in name else decay).append(p)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=3e-3)
    epochs = 12
    total = epochs * len(train_loader)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(int(0.1 * total), total))
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

    for epoch in range(1, epochs + 1):
        model.train()
        running = 0.0
        for ids, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(ids), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            running += loss.item() * len(y)
        val_loss, val_acc = evaluate(model, val_loader)
        print(f"epoch {epoch} train_loss {running / len(train_ds):.4f} val_loss {val_loss:.4f} "
              f"val_acc {val_acc:.4f} lr {scheduler.get_last_lr()[0]:.2e}")
    print(f"final val_acc {val_acc:.4f}")


if __name__ == "__main__":
    main()
