"""Next-token model for a small code-completion prototype (Bengio-style MLP LM).

The corpus is a synthetic stream of Python-like source tokens generated from a toy
grammar (assignments, calls, if/for/while blocks, returns) with a 24-name identifier
pool whose usage is Zipfian, so the model must learn both syntax and which names
follow which. Context of 8 tokens -> embedding -> tanh MLP -> softmax over the vocab.
"""
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)

KW = ["def", "return", "if", "else", "for", "in", "while", "range", "len", "print", "None", "True", "False"]
OPS = ["=", "+", "-", "*", "/", "==", "<", ">", "(", ")", ":", ",", "[", "]", "+="]
NAMES = [f"id{i}" for i in range(24)]
NUMS = [str(i) for i in range(10)]
SPECIAL = ["NEWLINE", "INDENT", "DEDENT"]
VOCAB = SPECIAL + KW + OPS + NAMES + NUMS
TOK = {t: i for i, t in enumerate(VOCAB)}
name_p = 1 / np.arange(1, len(NAMES) + 1) ** 1.1
name_p /= name_p.sum()


def name():
    return NAMES[rng.choice(len(NAMES), p=name_p)]


def expr(depth=0):
    r = rng.random()
    if r < 0.35 or depth > 1:
        return [name()] if rng.random() < 0.6 else [NUMS[rng.integers(10)]]
    if r < 0.7:
        return expr(depth + 1) + [OPS[rng.integers(1, 5)]] + expr(depth + 1)
    if r < 0.85:
        return ["len", "(", name(), ")"]
    return [name(), "[", name() if rng.random() < 0.5 else NUMS[rng.integers(10)], "]"]


def stmt(depth):
    r = rng.random()
    if depth < 2 and r < 0.15:
        head = ["if", name(), ["==", "<", ">"][rng.integers(3)], *expr(1), ":"]
    elif depth < 2 and r < 0.27:
        head = ["for", name(), "in", "range", "(", *expr(1), ")", ":"]
    elif depth < 2 and r < 0.33:
        head = ["while", name(), "<", *expr(1), ":"]
    else:
        if r < 0.55:
            return [name(), "=", *expr(), "NEWLINE"]
        if r < 0.7:
            return [name(), "+=", *expr(1), "NEWLINE"]
        if r < 0.82:
            return ["print", "(", *expr(), ")", "NEWLINE"]
        return ["return", *expr(), "NEWLINE"]
    body = []
    for _ in range(rng.integers(1, 4)):
        body += stmt(depth + 1)
    return head + ["NEWLINE", "INDENT"] + body + ["DEDENT"]


def function():
    toks = ["def", name(), "(", name(), ",", name(), ")", ":", "NEWLINE", "INDENT"]
    for _ in range(rng.integers(2, 6)):
        toks += stmt(1)
    return toks + ["return", name(), "NEWLINE", "DEDENT"]


def corpus(n_funcs):
    out = []
    for _ in range(n_funcs):
        out += function()
    return np.array([TOK[t] for t in out])


CTX = 8


def windows(ids):
    X = np.lib.stride_tricks.sliding_window_view(ids[:-1], CTX)
    y = ids[CTX:]
    return torch.tensor(X, dtype=torch.long), torch.tensor(y, dtype=torch.long)


train_ids, val_ids = corpus(2500), corpus(400)
Xtr, ytr = windows(train_ids)
Xva, yva = windows(val_ids)
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=128, shuffle=True)


class MLPLM(nn.Module):
    def __init__(self, vocab, ctx=CTX, emb=24, hidden=300):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.fc = nn.Linear(ctx * emb, hidden)
        self.out = nn.Linear(hidden, vocab)
        nn.init.normal_(self.out.weight, std=0.01)
        nn.init.zeros_(self.out.bias)

    def forward(self, idx):
        h = torch.tanh(self.fc(self.emb(idx).flatten(1)))
        return self.out(h)


model = MLPLM(len(VOCAB))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
epochs = 3
sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[2], gamma=0.1)
print(f"{len(Xtr)} training windows, vocab {len(VOCAB)}, uniform NLL {math.log(len(VOCAB)):.3f}")
step = 0
for epoch in range(epochs):
    model.train()
    for xb, yb in train_loader:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.4f}")
        step += 1
    sched.step()
    model.eval()
    with torch.no_grad():
        val_nll = F.cross_entropy(model(Xva), yva).item()
    print(f"epoch {epoch} val_nll {val_nll:.4f} val_ppl {math.exp(val_nll):.2f}")

with torch.no_grad():
    acc = (model(Xva).argmax(1) == yva).float().mean().item()
print(f"final val NLL {val_nll:.4f} (ppl {math.exp(val_nll):.2f}) top1 {acc:.4f}")
