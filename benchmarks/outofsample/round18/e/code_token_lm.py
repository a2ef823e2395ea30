"""A small causal transformer language model over Python-like source tokens.

Functions are generated from a little grammar (defs, loops, conditionals, returns,
INDENT/DEDENT tokens, identifiers declared before they are used) and concatenated into
one token stream, cut into 64-token chunks. The output projection is tied to the token
embedding; AdamW with linear warm-up then cosine decay (stepped per batch); gradient-norm
clipping at 1.0. Reported: validation perplexity against the unigram baseline.
"""
import math
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

KEYWORDS = ["def", "return", "for", "in", "range", "if", "else", ":", "(", ")", ",", "=", "+", "-",
            "*", "<", "==", "+=", "len", "print", "append", "[", "]", ".", "NEWLINE", "INDENT", "DEDENT",
            "None", "True", "False"]
NAMES = ["x", "y", "i", "j", "n", "total", "acc", "items", "result", "value", "count", "buf",
         "node", "left", "right", "key", "data", "out", "idx", "size"]
FUNCS = ["compute", "merge", "update", "scan", "reduce", "check", "build", "parse", "flatten", "step"]
NUMS = [str(k) for k in range(10)]
VOCAB = ["<pad>"] + KEYWORDS + NAMES + FUNCS + NUMS
STOI = {t: i for i, t in enumerate(VOCAB)}
SEQ = 64


def gen_function(rng):
    toks = []
    args = list(rng.choice(NAMES, size=rng.integers(1, 4), replace=False))
    scope = list(args)
    toks += ["def", str(rng.choice(FUNCS)), "("] + sum([[a, ","] for a in args], [])[:-1] + [")", ":", "NEWLINE", "INDENT"]

    def expr():
        a = str(rng.choice(scope)) if rng.random() < 0.75 else str(rng.choice(NUMS))
        if rng.random() < 0.5:
            return [a, str(rng.choice(["+", "-", "*"])), str(rng.choice(scope)) if rng.random() < 0.6 else str(rng.choice(NUMS))]
        return [a]

    def stmt(depth):
        r = rng.random()
        if r < 0.35 or depth >= 2:
            new = str(rng.choice(NAMES))
            out = [new, "=" if new not in scope else str(rng.choice(["=", "+="]))] + expr() + ["NEWLINE"]
            scope.append(new)
            return out
        if r < 0.6:
            var = str(rng.choice([n for n in ["i", "j", "idx", "key"] if n not in scope] or ["i"]))
            scope.append(var)
            body = sum([stmt(depth + 1) for _ in range(rng.integers(1, 3))], [])
            return ["for", var, "in", "range", "(", str(rng.choice(scope)), ")", ":", "NEWLINE", "INDENT"] + body + ["DEDENT"]
        if r < 0.8:
            cond = [str(rng.choice(scope)), str(rng.choice(["<", "=="])), str(rng.choice(NUMS))]
            body = sum([stmt(depth + 1) for _ in range(rng.integers(1, 3))], [])
            tail = []
            if rng.random() < 0.4:
                tail = ["else", ":", "NEWLINE", "INDENT"] + stmt(depth + 1) + ["DEDENT"]
            return ["if"] + cond + [":", "NEWLINE", "INDENT"] + body + ["DEDENT"] + tail
        return [str(rng.choice(scope)), ".", "append", "("] + expr() + [")", "NEWLINE"]

    for _ in range(rng.integers(2, 5)):
        toks += stmt(0)
    toks += ["return"] + expr() + ["NEWLINE", "DEDENT"]
    return toks


def corpus(n_funcs, rng):
    stream = []
    for _ in range(n_funcs):
        stream += gen_function(rng)
    ids = torch.tensor([STOI[t] for t in stream])
    n = (len(ids) - 1) // SEQ
    x = ids[: n * SEQ].view(n, SEQ)
    y = ids[1: n * SEQ + 1].view(n, SEQ)
    return x, y


class TinyCodeLM(nn.Module):
    def __init__(self, vocab, d=64, layers=2, heads=4):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(SEQ, d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.1, batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.tok.weight
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)
        self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(SEQ), persistent=False)

    def forward(self, idx):
        t = idx.shape[1]
        h = self.tok(idx) + self.pos(torch.arange(t))
        h = self.blocks(h, mask=self.causal[:t, :t], is_causal=True)
        return self.lm_head(self.norm(h))


def main():
    torch.manual_seed(31)
    rng = np.random.default_rng(31)
    x, y = corpus(1100, rng)
    n_val = len(x) // 10
    xtr, ytr, xva, yva = x[n_val:], y[n_val:], x[:n_val], y[:n_val]
    counts = torch.bincount(ytr.flatten(), minlength=len(VOCAB)).float() + 1
    unigram_ppl = math.exp(-(counts / counts.sum() * (counts / counts.sum()).log()).sum().item())
    print(f"{len(xtr)} train / {len(xva)} val chunks of {SEQ} tokens, vocab {len(VOCAB)}")

    model = TinyCodeLM(len(VOCAB))
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "pos" not in n]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2 or "pos" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                             {"params": no_decay, "weight_decay": 0.0}], lr=4e-3, betas=(0.9, 0.98))
    batch, epochs = 32, 8
    total_steps = epochs * math.ceil(len(xtr) / batch)
    warmup = 40
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup
        else 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total_steps - warmup))))

    for epoch in range(1, epochs + 1):
        model.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), batch):
            idx = perm[i:i + batch]
            logits = model(xtr[idx])
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), ytr[idx].reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
        model.eval()
        with torch.no_grad():
            vl = model(xva)
            val_loss = F.cross_entropy(vl.reshape(-1, vl.size(-1)), yva.reshape(-1)).item()
        print(f"epoch {epoch}  train loss {loss.item():.3f}  val loss {val_loss:.3f}  "
              f"val ppl {math.exp(val_loss):.2f}  lr {sched.get_last_lr()[0]:.2e}")
    print(f"final val perplexity {math.exp(val_loss):.2f} (unigram {unigram_ppl:.2f})")


if __name__ == "__main__":
    main()
