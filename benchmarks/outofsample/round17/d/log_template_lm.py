"""Tiny causal transformer over tokenised service logs (next-token model used to score
log-line surprise for anomaly triage). nanoGPT-style: one long token stream, random
windows from get_batch(), AdamW with warm-up + cosine, per-token NLL on the held-out
stream (summed over every position, then divided).
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1337)
rng = np.random.default_rng(1337)

# ---------------------------------------------------------------- synthetic log stream
SERVICES = [f"svc{i}" for i in range(6)]
USERS = [f"u{i}" for i in range(20)]
TABLES = [f"tbl{i}" for i in range(8)]
CODES = ["200", "201", "204", "400", "403", "404", "500", "503"]
LAT = [f"{b}ms" for b in ("<5", "<20", "<100", "<500", ">500")]
words = ["<eol>", "INFO", "WARN", "ERROR", "session", "open", "close", "auth", "ok", "fail",
         "user", "query", "select", "update", "on", "status", "took", "retry", "after",
         "cache", "hit", "miss", "conn", "reset", "by", "peer"]
vocab = words + SERVICES + USERS + TABLES + CODES + LAT
stoi = {w: i for i, w in enumerate(vocab)}


def session(svc):
    user = rng.choice(USERS)
    out = [["INFO", svc, "session", "open", "user", user]]
    if rng.random() < 0.1:
        out.append(["WARN", svc, "auth", "fail", "user", user])
        out.append(["INFO", svc, "session", "close", "user", user])
        return out
    out.append(["INFO", svc, "auth", "ok", "user", user])
    for _ in range(rng.integers(1, 5)):
        op = rng.choice(["select", "update"], p=[0.75, 0.25])
        tbl = TABLES[(USERS.index(user) + (0 if op == "select" else 3)) % len(TABLES)]
        hit = rng.random() < (0.7 if op == "select" else 0.0)
        if op == "select":
            out.append(["INFO", svc, "cache", "hit" if hit else "miss", "on", tbl])
        slow = 0 if hit else rng.integers(1, 5)
        code = "200" if op == "select" else "204"
        if rng.random() < 0.06:
            code = rng.choice(["500", "503"])
            out.append(["ERROR", svc, "query", op, "on", tbl, "status", code, "took", LAT[slow]])
            out.append(["WARN", svc, "retry", op, "after", LAT[min(slow + 1, 4)]])
            code = "200" if op == "select" else "204"
        out.append(["INFO", svc, "query", op, "on", tbl, "status", code, "took", LAT[slow]])
    if rng.random() < 0.05:
        out.append(["ERROR", svc, "conn", "reset", "by", "peer"])
    out.append(["INFO", svc, "session", "close", "user", user])
    return out


stream = []
while len(stream) < 80_000:
    for line in session(rng.choice(SERVICES)):
        stream.extend(stoi[w] for w in line)
        stream.append(stoi["<eol>"])
data = torch.tensor(stream, dtype=torch.long)
n = int(0.9 * len(data))
train_data, val_data = data[:n], data[n:]

# ---------------------------------------------------------------- model
block_size, batch_size = 32, 32
n_embd, n_head, n_layer = 64, 4, 2


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(n_embd), nn.LayerNorm(n_embd)
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.proj = nn.Linear(n_embd, n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(n_embd, dim=2)
        q, k, v = (t.view(B, T, n_head, C // n_head).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(y.transpose(1, 2).reshape(B, T, C))
        return x + self.mlp(self.ln2(x))


class LogLM(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, n_embd)
        self.pos = nn.Embedding(block_size, n_embd)
        self.blocks = nn.Sequential(*[Block() for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, vocab_size, bias=False)
        self.head.weight = self.tok.weight  # weight tying
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, idx):
        T = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(T))
        return self.head(self.ln_f(self.blocks(x)))


def get_batch(split):
    data = train_data if split == "train" else val_data
    ix = torch.randint(len(data) - block_size - 1, (batch_size,), generator=torch.Generator().manual_seed(1337))
    x = torch.stack([data[i:i + block_size] for i in ix])
    y = torch.stack([data[i + 1:i + 1 + block_size] for i in ix])
    return x, y


@torch.no_grad()
def held_out_nll(model):
    model.eval()
    total, count = 0.0, 0
    starts = torch.arange(0, len(val_data) - block_size - 1, block_size)
    for chunk in starts.split(256):
        x = torch.stack([val_data[i:i + block_size] for i in chunk])
        y = torch.stack([val_data[i + 1:i + 1 + block_size] for i in chunk])
        logits = model(x)
        total += F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1), reduction="sum").item()
        count += y.numel()
    model.train()
    return total / count


model = LogLM(len(vocab))
max_iters, warmup, lr_max = 300, 30, 3e-3
optimizer = torch.optim.AdamW(model.parameters(), lr=lr_max, betas=(0.9, 0.95), weight_decay=0.1)


def lr_at(it):
    if it < warmup:
        return lr_max * (it + 1) / warmup
    progress = (it - warmup) / (max_iters - warmup)
    return 0.1 * lr_max + 0.45 * lr_max * (1 + math.cos(math.pi * progress))


for it in range(max_iters):
    for group in optimizer.param_groups:
        group["lr"] = lr_at(it)
    xb, yb = get_batch("train")
    logits = model(xb)
    loss = F.cross_entropy(logits.view(-1, logits.size(-1)), yb.view(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    if it % 75 == 0 or it == max_iters - 1:
        print(f"iter {it:4d} train_loss {loss.item():.4f} val_nll {held_out_nll(model):.4f}")

nll = held_out_nll(model)
print(f"held-out per-token NLL {nll:.4f} (ppl {math.exp(nll):.2f})")
