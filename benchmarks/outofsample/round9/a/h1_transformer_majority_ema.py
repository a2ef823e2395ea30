"""Transformer encoder that names the most frequent symbol in a token sequence.

Sequences of 24 tokens over 8 symbols (ties re-drawn); learned positional
embeddings, mean pooling. Linear warm-up then cosine decay stepped every batch,
bf16 autocast on CPU, an EMA copy of the weights for evaluation, the EMA model
saved whole.
"""
import copy
import math
import torch
from torch import nn

torch.manual_seed(0)
V, T = 8, 24


def make_data(n, g):
    x = torch.randint(0, V, (n, T), generator=g)
    counts = torch.nn.functional.one_hot(x, V).sum(1)
    top2 = counts.topk(2, dim=1).values
    keep = top2[:, 0] > top2[:, 1]
    return x[keep], counts[keep].argmax(1)


g = torch.Generator().manual_seed(0)
x_tr, y_tr = make_data(5000, g)
x_va, y_va = make_data(1200, g)


class Encoder(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(V, d)
        self.pos = nn.Parameter(torch.randn(1, T, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=128, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, V)

    def forward(self, x):
        h = self.encoder(self.tok(x) + self.pos)
        return self.head(self.norm(h.mean(1)))


model = Encoder()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)

EPOCHS, BATCH = 5, 64
steps_per_epoch = math.ceil(len(x_tr) / BATCH)
total, warmup = EPOCHS * steps_per_epoch, steps_per_epoch
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.05)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup
    else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))


@torch.no_grad()
def ema_update(decay=0.99):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.lerp_(pm, 1 - decay)


@torch.no_grad()
def evaluate(net):
    loss_sum, correct = 0.0, 0
    for i in range(0, len(x_va), 256):
        xb, yb = x_va[i:i + 256], y_va[i:i + 256]
        logits = net(xb)
        loss_sum += nn.functional.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
    return loss_sum / len(x_va), correct / len(x_va)


for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(x_tr))
    for i in range(0, len(x_tr), BATCH):
        idx = perm[i:i + BATCH]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(x_tr[idx])
        loss = nn.functional.cross_entropy(logits.float(), y_tr[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        ema_update()
    model.eval()
    vl, va = evaluate(model)
    el, ea = evaluate(ema)
    print(f"epoch {epoch + 1}  model val {vl:.4f}/{va:.4f}  ema val {el:.4f}/{ea:.4f}")

torch.save(ema, "/tmp/majority_ema.pt")
print(f"final ema_val_loss={el:.4f} ema_val_acc={ea:.4f}")
