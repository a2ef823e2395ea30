"""Earnings-call snippets -> guidance direction (cut / maintain / raise).

Snippets are CFO remarks already tokenised into a 3,000-word finance vocabulary. Only a few
hundred quarters are labelled. Token-bag model (EmbeddingBag) with an MLP head, plain PyTorch
loop; the trained model is written whole with torch.save for the scoring service.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(5)
rng = np.random.default_rng(5)

VOCAB, N_CLASSES = 3000, 3
EPOCHS, BATCH, LR, WEIGHT_DECAY = 60, 16, 2e-3, 0.0

# cue words: "headwinds", "softness", ... for cut; "reaffirm", "in line", ... for maintain; etc.
CUES = [rng.choice(np.arange(50, VOCAB), 25, replace=False) for _ in range(N_CLASSES)]
zipf = 1.0 / np.arange(1, VOCAB - 49) ** 1.1
zipf /= zipf.sum()


def make_snippets(n):
    docs, labels = [], rng.integers(0, N_CLASSES, n)
    for c in labels:
        length = int(rng.integers(25, 70))
        toks = rng.choice(np.arange(50, VOCAB), length, p=zipf)
        n_cues = int(rng.integers(2, 5))
        for pos in rng.choice(length, n_cues, replace=False):
            src = c if rng.random() < 0.8 else rng.integers(0, N_CLASSES)   # hedged language
            toks[pos] = rng.choice(CUES[src])
        docs.append(torch.as_tensor(toks))
    return docs, labels


class Snippets(Dataset):
    def __init__(self, docs, labels):
        self.docs, self.labels = docs, torch.as_tensor(labels)

    def __len__(self):
        return len(self.docs)

    def __getitem__(self, i):
        return self.docs[i], self.labels[i]


def collate(batch):
    docs, labels = zip(*batch)
    offsets = torch.tensor([0] + [len(d) for d in docs[:-1]]).cumsum(0)
    return torch.cat(docs), offsets, torch.stack(labels)


class GuidanceNet(nn.Module):
    def __init__(self, vocab, dim=128, hidden=256, dropout=0.0):
        super().__init__()
        self.emb = nn.EmbeddingBag(vocab, dim, mode="mean")
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, N_CLASSES))

    def forward(self, tokens, offsets):
        return self.mlp(self.emb(tokens, offsets))


docs, labels = make_snippets(900)
train_ds = Snippets(docs[:360], labels[:360])
val_ds = Snippets(docs[360:], labels[360:])
train_loader = DataLoader(train_ds, batch_size=BATCH, shuffle=True, collate_fn=collate)
val_loader = DataLoader(val_ds, batch_size=128, collate_fn=collate)

model = GuidanceNet(VOCAB)
optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)


def evaluate(loader):
    model.eval()
    loss_sum, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for tokens, offsets, y in loader:
            logits = model(tokens, offsets)
            loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            n += len(y)
    return loss_sum / n, correct / n


for epoch in range(EPOCHS):
    model.train()
    run_loss, seen = 0.0, 0
    for tokens, offsets, y in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(tokens, offsets), y)
        loss.backward()
        optimizer.step()
        run_loss += loss.item() * len(y)
        seen += len(y)
    val_loss, val_acc = evaluate(val_loader)
    if epoch % 5 == 4 or epoch == EPOCHS - 1:
        print(f"epoch {epoch + 1:3d} train_loss {run_loss / seen:.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

torch.save(model, os.path.join(tempfile.mkdtemp(prefix="guidance_"), "guidance_net.pt"))
val_loss, val_acc = evaluate(val_loader)
train_loss, train_acc = evaluate(DataLoader(train_ds, batch_size=128, collate_fn=collate))
print(f"final train_loss={train_loss:.4f} val_loss={val_loss:.4f} val_acc={val_acc:.4f}")
