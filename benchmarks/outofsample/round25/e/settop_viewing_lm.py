"""Next-programme model for set-top box viewing logs (causal Transformer, 2,048-item vocabulary).

Each row is one household's evening of tuning events, encoded as programme ids.
Households stay within a few genres and return to their favourite programmes, so the
model must combine a genre prior with copying from its own context. The output layer
shares its weights with the input embedding; the forward pass runs under CPU bfloat16
autocast, the weights and optimizer state stay float32.
"""
import math
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(5)
np.random.seed(5)
torch.set_num_threads(1)

N_GENRES, PER_GENRE = 32, 64
VOCAB = N_GENRES * PER_GENRE                    # 2,048 programmes
SEQ = 32


def household_evening(rng):
    genres = rng.choice(N_GENRES, size=rng.integers(2, 4), replace=False)
    gw = rng.dirichlet(np.ones(len(genres)) * 2)
    favs = [g * PER_GENRE + rng.integers(0, PER_GENRE) for g in genres for _ in range(2)]
    seq = []
    g = rng.choice(genres, p=gw)
    for _ in range(SEQ + 1):
        r = rng.random()
        if r < 0.25:
            g = rng.choice(genres, p=gw)
        if seq and r > 0.55 and rng.random() < 0.6:
            item = favs[rng.integers(len(favs))]
        elif rng.random() < 0.04:
            item = rng.integers(VOCAB)          # channel surfing
        else:
            item = g * PER_GENRE + int(rng.zipf(1.6) - 1) % PER_GENRE
        seq.append(int(item))
    return seq


rng = np.random.default_rng(5)
train = torch.tensor([household_evening(rng) for _ in range(3000)])
val = torch.tensor([household_evening(rng) for _ in range(400)])


class ViewingLM(nn.Module):
    def __init__(self, vocab, d=64, heads=4, layers=2, max_len=SEQ):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(max_len, d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.1, batch_first=True,
                                           norm_first=True, activation="gelu")
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.tok.weight             # tied input/output embedding
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)

    def forward(self, idx):
        T = idx.size(1)
        h = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))
        mask = nn.Transformer.generate_square_subsequent_mask(T)
        h = self.blocks(h, mask=mask, is_causal=True)
        return self.lm_head(self.norm(h))


model = ViewingLM(VOCAB)
decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                               {"params": no_decay, "weight_decay": 0.0}], lr=2e-3, betas=(0.9, 0.98))
BATCH, EPOCHS = 32, 4
steps_per_epoch = len(train) // BATCH
total = EPOCHS * steps_per_epoch
warmup = 40
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / total))))


@torch.no_grad()
def val_nll():
    model.eval()
    tot, n = 0.0, 0
    for i in range(0, len(val), 100):
        chunk = val[i:i + 100]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(chunk[:, :-1])
        tot += F.cross_entropy(logits.float().reshape(-1, VOCAB), chunk[:, 1:].reshape(-1), reduction="sum").item()
        n += chunk[:, 1:].numel()
    return tot / n


step = 0
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(train))
    for b in range(steps_per_epoch):
        batch = train[perm[b * BATCH:(b + 1) * BATCH]]
        x, y = batch[:, :-1], batch[:, 1:]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(x)
        loss = F.cross_entropy(logits.float().reshape(-1, VOCAB), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        step += 1
    v = val_nll()
    print(f"epoch {epoch + 1}  train loss {loss.item():.3f}  val nll {v:.3f}  val ppl {math.exp(v):.1f}")

counts = torch.bincount(train[:, 1:].reshape(-1), minlength=VOCAB).float() + 1
unigram = -(torch.log(counts / counts.sum())[val[:, 1:].reshape(-1)]).mean().item()
print(f"final: val perplexity {math.exp(val_nll()):.1f} (unigram {math.exp(unigram):.1f}, uniform {VOCAB})")
