"""Character-level GRU language model over synthetic service logs.

The corpus imitates application log lines (timestamps, levels, services,
request ids, latencies). We train a 2-layer GRU with truncated BPTT on
contiguous chunks, clip the gradient norm, and halve the LR every two
epochs with StepLR. Reports validation bits-per-character.
"""
import math
import random

import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 7
random.seed(SEED)
torch.manual_seed(SEED)

SERVICES = ["auth", "billing", "search", "ingest", "scheduler", "gateway"]
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]
PATHS = ["/api/v1/items", "/api/v1/users", "/login", "/health", "/api/v2/search"]


def log_line(t):
    lvl = random.choices(["INFO", "WARN", "ERROR", "DEBUG"], [10, 3, 1, 4])[0]
    svc = random.choice(SERVICES)
    hh, mm, ss = (t // 3600) % 24, (t // 60) % 60, t % 60
    ts = f"2024-03-{1 + t // 86400:02d} {hh:02d}:{mm:02d}:{ss:02d}"
    kind = random.random()
    if kind < 0.4:
        ms = int(random.lognormvariate(3.5, 0.8))
        code = random.choices([200, 201, 404, 500], [20, 3, 2, 1])[0]
        msg = f"GET {random.choice(PATHS)} {code} {ms}ms"
    elif kind < 0.65:
        msg = f"user={random.choice(USERS)} session={random.randint(1000, 9999)} started"
    elif kind < 0.85:
        msg = f"job {random.randint(100, 999)} finished in {random.randint(1, 120)}s"
    else:
        msg = f"retrying connection to {random.choice(SERVICES)} (attempt {random.randint(1, 5)})"
    return f"{ts} {lvl:<5} [{svc}] {msg}\n"


def build_corpus(n_lines):
    t, lines = 0, []
    for _ in range(n_lines):
        t += random.randint(0, 40)
        lines.append(log_line(t))
    return "".join(lines)


text = build_corpus(2000)
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
n_val = len(data) // 10
train_data, val_data = data[:-n_val], data[-n_val:]
vocab = len(chars)


def batchify(d, bsz):
    nb = d.size(0) // bsz
    return d[: nb * bsz].view(bsz, nb)  # (bsz, T) contiguous streams


class CharGRU(nn.Module):
    def __init__(self, vocab, emb=48, hidden=112, layers=2, dropout=0.1):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.rnn = nn.GRU(emb, hidden, layers, batch_first=True, dropout=dropout)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, h=None):
        out, h = self.rnn(self.emb(x), h)
        return self.head(self.drop(out)), h


bptt, bsz = 64, 32
train_b = batchify(train_data, bsz)
val_b = batchify(val_data, 8)
model = CharGRU(vocab)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
epochs, clip = 5, 1.0


def evaluate():
    model.eval()
    total, count, h = 0.0, 0, None
    with torch.no_grad():
        for i in range(0, val_b.size(1) - 1, bptt):
            seq = min(bptt, val_b.size(1) - 1 - i)
            x, y = val_b[:, i:i + seq], val_b[:, i + 1:i + 1 + seq]
            logits, h = model(x, h)
            total += F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1), reduction="sum").item()
            count += y.numel()
    return total / count


for epoch in range(1, epochs + 1):
    model.train()
    h, running, nb = None, 0.0, 0
    for i in range(0, train_b.size(1) - 1, bptt):
        seq = min(bptt, train_b.size(1) - 1 - i)
        x, y = train_b[:, i:i + seq], train_b[:, i + 1:i + 1 + seq]
        if h is not None:
            h = h.detach()
        logits, h = model(x, h)
        loss = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        running += loss.item()
        nb += 1
    scheduler.step()
    val = evaluate()
    print(f"epoch {epoch} | lr {optimizer.param_groups[0]['lr']:.2e} | train loss {running / nb:.3f} "
          f"| val loss {val:.3f} | val bpc {val / math.log(2):.3f}")

print(f"final val_bpc={val / math.log(2):.4f}")
