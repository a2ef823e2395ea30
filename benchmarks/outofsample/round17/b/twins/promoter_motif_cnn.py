"""Promoter recognition in 100-bp DNA windows with a multi-width convolutional
model (Kim-style parallel filters over nucleotide embeddings).

Positives carry a -35 box (TTGACA) and a -10 box (TATAAT), each with up to one
mismatch, 15-19 bp apart, at a variable offset. Negatives are background sequence;
a third of them carry one of the two boxes on its own."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

SEED = 21
L = 100
BASES = "ACGT"
BOX35, BOX10 = "TTGACA", "TATAAT"

rng = np.random.default_rng(SEED)
torch.manual_seed(SEED)


def mutate(box):
    box = list(box)
    if rng.random() < 0.7:
        i = rng.integers(len(box))
        box[i] = BASES[rng.integers(4)]
    return "".join(box)


def background():
    # AT-rich background like an intergenic region
    return list(rng.choice(list(BASES), L, p=[0.3, 0.2, 0.2, 0.3]))


def sample(positive):
    s = background()
    if positive:
        spacer = rng.integers(15, 20)
        start = rng.integers(0, L - 12 - spacer)
        s[start:start + 6] = mutate(BOX35)
        s[start + 6 + spacer:start + 12 + spacer] = mutate(BOX10)
    elif rng.random() < 0.33:
        box = BOX35 if rng.random() < 0.5 else BOX10
        start = rng.integers(0, L - 6)
        s[start:start + 6] = mutate(box)
    return [BASES.index(c) for c in s]


def make(n):
    y = rng.integers(0, 2, n)
    X = np.array([sample(bool(t)) for t in y], dtype=np.int64)
    return torch.from_numpy(X), torch.from_numpy(y.astype(np.float32))


class MotifCNN(nn.Module):
    def __init__(self, emb=8, channels=32, widths=(6, 8, 12)):
        super().__init__()
        self.embed = nn.Embedding(4, emb)
        self.convs = nn.ModuleList([nn.Conv1d(emb, channels, w) for w in widths])
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(channels * len(widths), 1)

    def forward(self, tokens):
        h = self.embed(tokens).transpose(1, 2)
        pooled = [F.relu(conv(h)).amax(dim=2) for conv in self.convs]
        return self.fc(self.dropout(torch.cat(pooled, dim=1))).squeeze(1)


Xtr, ytr = make(3000)
Xva, yva = make(800)
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=400)

model = MotifCNN()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.BCEWithLogitsLoss()

for epoch in range(8):
    model.train()
    tot = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        tot += loss.item() * len(yb)
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(xb) for xb, _ in val_loader])
    val_loss = criterion(logits, yva).item()
    acc = ((logits > 0).float() == yva).float().mean().item()
    print(f"epoch {epoch + 1} train_loss {tot / len(Xtr):.4f} val_loss {val_loss:.4f} val_acc {acc:.4f}")

print(f"final val_acc {acc:.4f}")
