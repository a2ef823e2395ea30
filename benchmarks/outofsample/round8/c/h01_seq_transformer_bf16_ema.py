"""Transformer-encoder sequence classifier: does token A outnumber token B in a noisily read stream (3 classes: more,
equal, fewer)? Trained with bf16 autocast on CPU, linear warm-up + cosine LR stepped per batch,
an EMA copy of the weights (deepcopy) that is evaluated and saved whole with torch.save."""
import copy
import math
import os
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
VOCAB, SEQ, A, B = 24, 24, 5, 9
EPOCHS, BATCH, LR, WARMUP = 5, 64, 1e-3, 40


def make_split(n, g):
    x = torch.randint(2, VOCAB, (n, SEQ), generator=g)
    diff = (x == A).sum(1) - (x == B).sum(1)
    y = torch.where(diff > 0, 0, torch.where(diff == 0, 1, 2))
    misread = torch.rand(n, SEQ, generator=g) < 0.08           # the reader garbles ~8% of tokens
    x = torch.where(misread, torch.randint(2, VOCAB, (n, SEQ), generator=g), x)
    return x, y


g = torch.Generator().manual_seed(0)
train_ds = TensorDataset(*make_split(4000, g))
val_ds = TensorDataset(*make_split(1500, g))
train_loader = DataLoader(train_ds, batch_size=BATCH, shuffle=True, drop_last=True)
val_loader = DataLoader(val_ds, batch_size=500)


class CountingTransformer(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Parameter(torch.zeros(1, SEQ + 1, d))
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.1, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 3)
        nn.init.normal_(self.pos, std=0.02)

    def forward(self, x):
        h = torch.cat([self.cls.expand(len(x), -1, -1), self.tok(x)], 1) + self.pos
        return self.head(self.norm(self.encoder(h)[:, 0]))


model = CountingTransformer()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)

decay, no_decay = [], []
for n, p in model.named_parameters():
    (no_decay if p.ndim < 2 or n in ("pos", "cls") else decay).append(p)
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                               {"params": no_decay, "weight_decay": 0.0}], lr=LR)
total = EPOCHS * len(train_loader)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / WARMUP if s < WARMUP else 0.5 * (1 + math.cos(math.pi * (s - WARMUP) / (total - WARMUP))))


@torch.no_grad()
def ema_update(decay=0.99):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(net):
    net.eval()
    loss_sum, correct = 0.0, 0
    for x, y in val_loader:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = net(x)
        logits = logits.float()
        loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
    return loss_sum / len(val_ds), correct / len(val_ds)


for epoch in range(EPOCHS):
    model.train()
    for x, y in train_loader:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(x)
        loss = F.cross_entropy(logits.float(), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        scheduler.step()
        ema_update()
    vl, va = evaluate(model)
    el, ea = evaluate(ema)
    print(f"epoch {epoch + 1}: train_loss {loss.item():.4f} val_loss {vl:.4f} val_acc {va:.4f} "
          f"| ema val_loss {el:.4f} val_acc {ea:.4f} | lr {scheduler.get_last_lr()[0]:.2e}")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "ema_model.pt")
    torch.save(ema, path)
    restored = torch.load(path, weights_only=False)
rl, ra = evaluate(restored)
print(f"final ema val_loss {rl:.4f} val_acc {ra:.4f}")
