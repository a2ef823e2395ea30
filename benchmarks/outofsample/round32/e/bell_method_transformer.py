"""Change ringing: name the method from a recorded touch on six bells.

A tower's ringing recorder logs each change (the order the six bells struck). From a
stretch of 6-24 changes, starting anywhere in the course and with the band's
occasional mistakes (a pair struck out of order), name which of five Minor methods
was rung. Small Transformer encoder with a padding mask, bf16 autocast on CPU,
linear warm-up then cosine decay.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)
BELLS, MAX_LEN = 6, 24
METHODS = {
    "plain bob": "x16x16x16x16x16x12",
    "little bob": "x16x14x16x12",
    "cambridge surprise": "x36x14x12x36x14x56x14x36x12x36x14x12",
    "double oxford": "x16x14x36x14x16x12",
    "kent treble bob": "x16x34x16x34x16x12",
}


def parse(pn):
    out, i = [], 0
    while i < len(pn):
        if pn[i] == "x":
            out.append(())
            i += 1
        else:
            j = i
            while j < len(pn) and pn[j].isdigit():
                j += 1
            out.append(tuple(int(c) - 1 for c in pn[i:j]))
            i = j
    return out


def apply(row, places):
    row, k = list(row), 0
    while k < BELLS - 1:
        if k in places or k + 1 in places:
            k += 1
            continue
        row[k], row[k + 1] = row[k + 1], row[k]
        k += 2
    return row


def plain_course(pn):
    changes, row, rows = parse(pn), list(range(BELLS)), []
    for _ in range(200):
        for c in changes:
            row = apply(row, c)
            rows.append(row)
        if row == list(range(BELLS)):
            break
    return rows


COURSES = [plain_course(pn) for pn in METHODS.values()]


def touch(cls):
    course = COURSES[cls]
    n = rng.integers(6, MAX_LEN + 1)
    start = rng.integers(0, len(course))
    rows = [list(course[(start + i) % len(course)]) for i in range(n)]
    for r in rows:                               # striking errors: one pair swapped
        if rng.random() < 0.2:
            k = rng.integers(0, BELLS - 1)
            r[k], r[k + 1] = r[k + 1], r[k]
    x = np.zeros((MAX_LEN, BELLS * BELLS), np.float32)
    for t, r in enumerate(rows):
        x[t, [p * BELLS + b for p, b in enumerate(r)]] = 1.0
    pad = np.arange(MAX_LEN) >= n
    return x, pad


def dataset(m):
    y = rng.integers(0, len(METHODS), m)
    xs, pads = zip(*(touch(c) for c in y))
    return torch.tensor(np.stack(xs)), torch.tensor(np.stack(pads)), torch.tensor(y)


train_ds = TensorDataset(*dataset(2000))
val_ds = TensorDataset(*dataset(600))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=300)


class MethodNamer(nn.Module):
    def __init__(self, d_model=64, n_heads=4, n_layers=2, n_classes=len(METHODS)):
        super().__init__()
        self.proj = nn.Linear(BELLS * BELLS, d_model)
        self.pos = nn.Parameter(torch.randn(1, MAX_LEN, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, n_heads, dim_feedforward=128, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.cls = nn.Linear(d_model, n_classes)

    def forward(self, x, pad_mask):
        h = self.encoder(self.proj(x) + self.pos, src_key_padding_mask=pad_mask)
        keep = (~pad_mask).unsqueeze(-1).to(h.dtype)
        pooled = (h * keep).sum(1) / keep.sum(1)
        return self.cls(self.norm(pooled))


model = MethodNamer()
epochs = 10
total_steps = epochs * len(train_loader)
warmup = 60
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)


def lr_lambda(step):
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total_steps - warmup)
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
criterion = nn.CrossEntropyLoss()

for epoch in range(1, epochs + 1):
    model.train()
    tl, tn = 0.0, 0
    for x, pad, y in train_loader:
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(x, pad)
            loss = criterion(logits.float(), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        tl += loss.item() * len(y)
        tn += len(y)
    model.eval()
    correct, vl = 0, 0.0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for x, pad, y in val_loader:
            logits = model(x, pad).float()
            vl += criterion(logits, y).item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
    print(f"epoch {epoch:2d}  train {tl / tn:.3f}  val {vl / len(val_ds):.3f}  "
          f"acc {correct / len(val_ds):.3f}  lr {scheduler.get_last_lr()[0]:.1e}")

print(f"final: val accuracy {correct / len(val_ds):.3f}")
