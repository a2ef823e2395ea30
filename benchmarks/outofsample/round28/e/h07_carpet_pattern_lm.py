"""Carpet weaving: a next-token model over knot instructions (vocabulary 3,000: colour x motif x
row-position codes) written by the design studio. Causal Transformer encoder with the output
layer tied to the embedding, linear warm-up then cosine decay, gradient accumulation over two
micro-batches. Reports validation perplexity against the unigram baseline.
"""
import math
import numpy as np
import torch
from torch import nn

torch.manual_seed(29)
rng = np.random.default_rng(29)
V, T = 3000, 32

# designs are built from ~200 motifs; each motif is a fixed run of knot codes, and motifs follow
# each other by a sparse transition table (border -> field -> medallion ...)
motifs = [rng.choice(V, rng.integers(3, 7), replace=False) for _ in range(200)]
succ = [rng.choice(200, 4, replace=False) for _ in range(200)]


def design():
    out, m = [], rng.integers(200)
    while len(out) < T + 1:
        out.extend(motifs[m].tolist())
        m = succ[m][rng.integers(4)]
    return out[:T + 1]


data = torch.tensor([design() for _ in range(1200)])
train, val = data[:1024], data[1024:]


class KnotLM(nn.Module):
    def __init__(self, d=64, layers=2, heads=4):
        super().__init__()
        self.emb = nn.Embedding(V, d)
        self.pos = nn.Parameter(torch.randn(T, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.1, batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, V, bias=False)
        self.out.weight = self.emb.weight            # tied input/output embedding
        nn.init.normal_(self.emb.weight, std=0.02)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(T))

    def forward(self, idx):
        h = self.emb(idx) + self.pos[: idx.size(1)]
        h = self.enc(h, mask=self.mask[: idx.size(1), : idx.size(1)], is_causal=True)
        return self.out(self.norm(h))


model = KnotLM()
micro, accum, epochs = 32, 2, 10
steps_per_epoch = len(train) // (micro * accum)
total = epochs * steps_per_epoch
warmup = 15
opt = torch.optim.AdamW(model.parameters(), lr=6e-3, betas=(0.9, 0.95), weight_decay=0.05)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))
loss_fn = nn.CrossEntropyLoss()


def evaluate():
    model.eval()
    with torch.no_grad():
        x, y = val[:, :-1], val[:, 1:]
        return loss_fn(model(x).reshape(-1, V), y.reshape(-1)).item()


for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(train))
    for s in range(steps_per_epoch):
        opt.zero_grad()
        for k in range(accum):
            b = train[perm[(s * accum + k) * micro:(s * accum + k + 1) * micro]]
            logits = model(b[:, :-1])
            loss = loss_fn(logits.reshape(-1, V), b[:, 1:].reshape(-1)) / accum
            loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    vl = evaluate()
    print(f"epoch {epoch + 1} val loss {vl:.3f} ppl {math.exp(vl):.1f}")

counts = torch.bincount(train[:, 1:].reshape(-1), minlength=V).float() + 1
p = counts / counts.sum()
unigram = -(torch.log(p[val[:, 1:].reshape(-1)])).mean().item()
print(f"final val perplexity {math.exp(vl):.1f} (unigram {math.exp(unigram):.1f})")
