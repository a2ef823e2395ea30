"""Small causal Transformer language model over tokenised web-server access logs.

Input and output embeddings are tied (the LM head reuses the token embedding matrix, as in
GPT-2).  AdamW without weight decay on embeddings, norms and biases; the learning rate warms
up linearly for 40 steps and then follows a cosine to 10% of its peak, stepped every batch.
Reports validation perplexity against the unigram perplexity of the same tokens.
"""
import math
import random

import torch
import torch.nn.functional as F
from torch import nn

METHODS = ["GET", "POST", "PUT", "DELETE"]
RESOURCES = {"users": ["profile", "settings", "avatar"], "orders": ["items", "status", "invoice"],
             "products": ["reviews", "stock", "images"], "cart": ["add", "remove", "checkout"],
             "search": ["suggest", "filters"], "auth": ["login", "logout", "refresh"]}
AGENTS = ["Mozilla/5.0", "curl/8.1", "python-requests/2.31", "okhttp/4.12", "Googlebot/2.1"]
SPECIAL = ["<nl>", "/", "api", "v1", "v2", "HTTP/1.1", "ms"]


def build_vocab():
    words = SPECIAL + METHODS + list(RESOURCES) + sorted({s for v in RESOURCES.values() for s in v})
    words += AGENTS + [str(c) for c in (200, 201, 204, 301, 400, 401, 403, 404, 409, 500, 503)]
    words += [f"#{i}" for i in range(60)] + [f"{b}" for b in range(0, 1000, 10)]
    return {w: i for i, w in enumerate(dict.fromkeys(words))}


def log_line(rng):
    res = rng.choice(list(RESOURCES))
    method = rng.choices(METHODS, weights=[6, 3, 1, 1] if res != "auth" else [1, 8, 0.1, 0.1])[0]
    toks = [method, "/", "api", "/", rng.choice(["v1", "v1", "v2"]), "/", res]
    if res in ("users", "orders", "products") and rng.random() < 0.7:
        toks += ["/", f"#{rng.randrange(60)}"]
    if rng.random() < 0.6:
        toks += ["/", rng.choice(RESOURCES[res])]
    toks.append("HTTP/1.1")
    if res == "auth" and toks[-2] == "login":
        status = rng.choices(["200", "401", "403"], weights=[6, 3, 1])[0]
    elif method == "POST":
        status = rng.choices(["201", "400", "409", "500"], weights=[8, 2, 1, 0.3])[0]
    elif method == "DELETE":
        status = rng.choices(["204", "404", "403"], weights=[6, 2, 1])[0]
    else:
        status = rng.choices(["200", "301", "404", "503"], weights=[10, 1, 1.5, 0.3])[0]
    base = {"search": 300, "cart": 150, "orders": 120}.get(res, 40)
    latency = min(990, int(rng.expovariate(1 / base)) // 10 * 10)
    agent = rng.choice(AGENTS[:4]) if res != "products" else rng.choice(AGENTS)
    return toks + [status, str(latency), "ms", agent, "<nl>"]


class TinyGPT(nn.Module):
    def __init__(self, vocab, d=64, layers=2, heads=4, ctx=64):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(ctx, d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.1, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.tok.weight                     # weight tying
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)
        self.register_buffer("causal", torch.triu(torch.full((ctx, ctx), float("-inf")), 1))

    def forward(self, idx):
        T = idx.shape[1]
        h = self.tok(idx) + self.pos(torch.arange(T))
        h = self.blocks(h, mask=self.causal[:T, :T], is_causal=True)
        return self.lm_head(self.ln_f(h))


def main():
    random.seed(8)
    torch.manual_seed(8)
    rng = random.Random(8)
    vocab = build_vocab()
    stream = [vocab[t] for _ in range(6000) for t in log_line(rng)]
    data = torch.tensor(stream)
    n_val = len(data) // 10
    train, val = data[:-n_val], data[-n_val:]
    ctx, batch_size, steps, warmup, peak_lr = 48, 32, 300, 40, 3e-3

    model = TinyGPT(len(vocab), ctx=ctx)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "tok" not in n and "pos" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "tok" not in n and "pos" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                                   {"params": no_decay, "weight_decay": 0.0}],
                                  lr=peak_lr, betas=(0.9, 0.95))

    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, steps - warmup)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)

    def get_batch(split, gen):
        ix = torch.randint(len(split) - ctx - 1, (batch_size,), generator=gen)
        x = torch.stack([split[i:i + ctx] for i in ix])
        y = torch.stack([split[i + 1:i + ctx + 1] for i in ix])
        return x, y

    @torch.no_grad()
    def val_loss():
        model.eval()
        losses = []
        for s in range(0, len(val) - ctx - 1, ctx):
            x = val[s:s + ctx][None]
            y = val[s + 1:s + ctx + 1][None]
            losses.append(F.cross_entropy(model(x).view(-1, len(vocab)), y.view(-1)).item())
        model.train()
        return sum(losses) / len(losses)

    gen = torch.Generator().manual_seed(8)
    for step in range(steps):
        x, y = get_batch(train, gen)
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, len(vocab)), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        if step % 50 == 0 or step == steps - 1:
            print(f"step {step:4d} loss {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.2e}")

    counts = torch.bincount(train, minlength=len(vocab)).float() + 1
    p = counts / counts.sum()
    unigram_ppl = math.exp(-(torch.log(p[val])).mean().item())
    vl = val_loss()
    print(f"final val perplexity={math.exp(vl):.3f} (unigram {unigram_ppl:.2f}, vocab {len(vocab)})")


if __name__ == "__main__":
    main()
