"""Language ID for subtitle lines (character level) for a streaming catalogue's QC pipeline.

fastText-style bag of hashed char n-grams. AdamW with linear warm-up then
cosine decay (per step), label smoothing, grad-norm clipping, and an EMA copy of the weights
that is evaluated and exported.
"""
import copy
import math
import random
import tempfile
import zlib
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

random.seed(0)
np.random.seed(0)
torch.manual_seed(0)
rng = np.random.default_rng(0)

ALPHABET = list("abcdefghijklmnopqrstuvwxyzáéíóúàèìòùäöüßçñãõåøæłśźżčšž'.,!? ")
LANGS = ["es", "pt", "it", "de", "nl", "sv", "pl", "cs"]
MAXLEN = 40


def make_language(k):
    """A character bigram model per language: shared Latin core plus its own diacritics/habits."""
    g = np.random.default_rng(100 + k)
    n = len(ALPHABET)
    trans = g.dirichlet(np.full(n, 0.15), size=n)
    core = np.zeros(n)
    core[:26] = g.dirichlet(np.full(26, 2.0)) * 0.8
    special = g.choice(np.arange(26, n - 6), 4, replace=False)
    core[special] = 0.06
    core[ALPHABET.index(" ")] = 0.16
    trans = 0.55 * trans + 0.45 * core
    return trans / trans.sum(1, keepdims=True)


MODELS = [make_language(k) for k in range(len(LANGS))]


def subtitle_line(lang):
    length = rng.integers(10, MAXLEN)
    c = rng.integers(26)
    out = []
    for _ in range(length):
        out.append(ALPHABET[c])
        c = rng.choice(len(ALPHABET), p=MODELS[lang][c])
    return "".join(out)


BUCKETS = 20000


def ngram_ids(text):
    padded = f"<{text}>"
    grams = [padded[i:i + n] for n in (1, 2, 3) for i in range(len(padded) - n + 1)]
    return [zlib.crc32(g.encode()) % BUCKETS for g in grams]


class Lines(Dataset):
    def __init__(self, n):
        self.y = rng.integers(len(LANGS), size=n)
        self.text = [subtitle_line(l) for l in self.y]
        self.grams = [torch.tensor(ngram_ids(t)) for t in self.text]

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.grams[i], int(self.y[i])


def collate(batch):
    grams, ys = zip(*batch)
    offsets = torch.tensor([0] + [len(g) for g in grams[:-1]]).cumsum(0)
    return torch.cat(grams), offsets, torch.tensor(ys)


class LangID(nn.Module):
    """fastText-style: mean of hashed character 1-3-gram embeddings, then a linear classifier."""

    def __init__(self, buckets, n_out, d=64):
        super().__init__()
        self.bag = nn.EmbeddingBag(buckets, d, mode="mean")
        self.drop = nn.Dropout(0.1)
        self.out = nn.Linear(d, n_out)

    def forward(self, grams, offsets):
        return self.out(self.drop(self.bag(grams, offsets)))


train_loader = DataLoader(Lines(3200), batch_size=64, shuffle=True, collate_fn=collate)
val_loader = DataLoader(Lines(600), batch_size=256, collate_fn=collate)

model = LangID(BUCKETS, len(LANGS))
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)

epochs = 8
total = epochs * len(train_loader)
warmup = int(0.08 * total)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-2, weight_decay=0.05)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)


@torch.no_grad()
def ema_update(decay=0.97):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)


@torch.no_grad()
def evaluate(net):
    net.eval()
    correct = n = 0
    loss = 0.0
    for grams, offsets, y in val_loader:
        logits = net(grams, offsets)
        loss += nn.functional.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    return loss / n, correct / n


for epoch in range(epochs):
    model.train()
    for grams, offsets, y in train_loader:
        loss = criterion(model(grams, offsets), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        scheduler.step()
        ema_update()
    vl, va = evaluate(model)
    el, eacc = evaluate(ema)
    print(f"epoch {epoch + 1}  lr {scheduler.get_last_lr()[0]:.2e}  val loss {vl:.3f} acc {va:.3f} | EMA loss {el:.3f} acc {eacc:.3f}")

with tempfile.TemporaryDirectory() as out_dir:
    torch.save(ema, f"{out_dir}/langid_ema.pt")
print(f"final EMA val accuracy {eacc:.4f}")
