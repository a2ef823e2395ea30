"""A nanoGPT-style character-free language model on a synthetic 5120-token stream.

The "language": 40 word classes follow a sparse class-level Markov chain, and each class emits
one of its 128 words with Zipfian frequencies, so the next token is far more predictable than the
unigram distribution suggests. Batches come from get_batch() drawing random offsets into the
training stream (no DataLoader, no epochs). Tied input/output embeddings, GPT-2 init (std 0.02,
scaled residual projections), AdamW with decay on matrices only, linear warm-up then cosine decay,
gradient accumulation over 2 micro-batches, grad-norm clipping at 1.0; the held-out stream is
evaluated every 50 iterations.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1337)
rng = np.random.default_rng(1337)

N_CLASS, PER_CLASS = 40, 128
VOCAB = N_CLASS * PER_CLASS                     # 5120
trans = np.zeros((N_CLASS, N_CLASS))
for c in range(N_CLASS):
    nxt = rng.choice(N_CLASS, size=3, replace=False)
    trans[c, nxt] = rng.dirichlet(np.ones(3))
word_p = 1.0 / np.arange(1, PER_CLASS + 1) ** 1.2
word_p /= word_p.sum()
class_perm = np.stack([rng.permutation(PER_CLASS) for _ in range(N_CLASS)])   # ids not sorted by frequency


def generate(n_tokens):
    cls = np.empty(n_tokens, dtype=np.int64)
    cls[0] = 0
    u = rng.random(n_tokens)
    cum = trans.cumsum(1)
    for i in range(1, n_tokens):
        cls[i] = min(np.searchsorted(cum[cls[i - 1]], u[i]), N_CLASS - 1)
    words = rng.choice(PER_CLASS, size=n_tokens, p=word_p)
    return torch.tensor(cls * PER_CLASS + class_perm[cls, words])


train_data = generate(300_000)
val_data = generate(30_000)

BLOCK, MICRO_BS, ACCUM = 32, 8, 2


def get_batch(split):
    data = train_data if split == "train" else val_data
    ix = torch.randint(len(data) - BLOCK - 1, (MICRO_BS,))
    x = torch.stack([data[i:i + BLOCK] for i in ix])
    y = torch.stack([data[i + 1:i + 1 + BLOCK] for i in ix])
    return x, y


class Block(nn.Module):
    def __init__(self, d, n_head, dropout):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, n_head, dropout=dropout, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d), nn.Dropout(dropout))
        self.mlp[2].is_residual_proj = True
        self.attn.out_proj.is_residual_proj = True

    def forward(self, x, causal):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=causal, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab, block, d=64, n_layer=2, n_head=4, dropout=0.1):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(block, d)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(d, n_head, dropout) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.tok.weight                  # weight tying
        self.register_buffer("causal", torch.triu(torch.ones(block, block, dtype=torch.bool), 1))
        self.apply(self._init)
        for m in self.modules():
            if getattr(m, "is_residual_proj", False):
                nn.init.normal_(m.weight, 0.0, 0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, 0.0, 0.02)

    def forward(self, idx, targets=None):
        T = idx.size(1)
        x = self.drop(self.tok(idx) + self.pos(torch.arange(T)))
        for blk in self.blocks:
            x = blk(x, self.causal[:T, :T])
        logits = self.lm_head(self.ln_f(x))
        loss = None if targets is None else F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


model = GPT(VOCAB, BLOCK)
decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                              lr=6e-3, betas=(0.9, 0.95))
MAX_ITERS, WARMUP, MIN_LR, MAX_LR = 500, 40, 6e-4, 6e-3


def get_lr(it):
    if it < WARMUP:
        return MAX_LR * (it + 1) / WARMUP
    ratio = (it - WARMUP) / (MAX_ITERS - WARMUP)
    return MIN_LR + 0.5 * (1 + math.cos(math.pi * ratio)) * (MAX_LR - MIN_LR)


# fixed, non-overlapping held-out windows
val_x = val_data[: (len(val_data) - 1) // BLOCK * BLOCK].view(-1, BLOCK)[:256]
val_y = val_data[1: (len(val_data) - 1) // BLOCK * BLOCK + 1].view(-1, BLOCK)[:256]


@torch.no_grad()
def estimate_val():
    model.eval()
    _, loss = model(val_x, val_y)
    model.train()
    return loss.item()


model.train()
for it in range(MAX_ITERS):
    for g in optimizer.param_groups:
        g["lr"] = get_lr(it)
    for micro in range(ACCUM):
        x, y = get_batch("train")
        _, loss = model(x, y)
        (loss / ACCUM).backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    if it % 50 == 0 or it == MAX_ITERS - 1:
        print(f"iter {it:4d} train_loss {loss.item():.3f} val_loss {estimate_val():.3f} lr {get_lr(it):.2e}")

counts = torch.bincount(train_data, minlength=VOCAB).float() + 1
unigram_nll = -(counts / counts.sum()).log()[val_data].mean().item()
val_loss = estimate_val()
print(f"FINAL val_loss {val_loss:.3f} (ppl {math.exp(val_loss):.0f}); unigram baseline {unigram_nll:.3f} "
      f"(ppl {math.exp(unigram_nll):.0f}); uniform {math.log(VOCAB):.3f}")
