"""Keyword-vote task: sequences of filler tokens carry a few keyword tokens; a small pre-LN
Transformer encoder has to report which keyword occurs most often.

Training follows the usual recipe for attention models trained from scratch: AdamW, a linear
warm-up that starts from 1/1000 of the peak LR, cosine decay per optimizer step, gradient
clipping at 1.0, and activation checkpointing of the encoder blocks to keep memory flat.
"""
import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint
from torch.utils.data import DataLoader, TensorDataset

VOCAB, SEQ, N_VALUES, KW0 = 64, 20, 8, 48


def make_split(n, g):
    x = torch.randint(0, KW0, (n, SEQ), generator=g)
    winner = torch.randint(0, N_VALUES, (n,), generator=g)
    for i in range(n):
        slots = torch.randperm(SEQ, generator=g)[:7]
        others = torch.randint(0, N_VALUES, (3,), generator=g)
        others[others == winner[i]] = (winner[i] + 1) % N_VALUES
        x[i, slots[:4]] = KW0 + winner[i]
        x[i, slots[4:]] = KW0 + others
    return x, winner


class Block(nn.Module):
    def __init__(self, d, heads, p):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, dropout=p, batch_first=True)
        self.ln2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d), nn.Dropout(p))

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.ff(self.ln2(x))


class KeywordNet(nn.Module):
    def __init__(self, d=48, heads=4, layers=2, p=0.0, grad_ckpt=True):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Parameter(torch.randn(1, SEQ, d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, heads, p) for _ in range(layers))
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, N_VALUES)
        self.grad_ckpt = grad_ckpt

    def forward(self, x):
        h = self.tok(x) + self.pos
        for blk in self.blocks:
            if self.grad_ckpt and self.training:
                h = checkpoint(blk, h, use_reentrant=False)
            else:
                h = blk(h)
        return self.head(self.ln(h).mean(1))


def warmup_cosine(warmup, total, start=1e-3, floor=0.05):
    def f(step):
        if step < warmup:
            return start + (1 - start) * step / warmup
        t = (step - warmup) / max(1, total - warmup)
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * t))
    return f


def evaluate(model, loader):
    model.eval()
    correct = n = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
            n += len(y)
    return correct / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    xtr, ytr = make_split(3000, g)
    xva, yva = make_split(1000, g)
    train_loader = DataLoader(TensorDataset(xtr, ytr), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(xva, yva), batch_size=256)

    model = KeywordNet()
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "pos" not in n]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2 or "pos" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.98))
    total = args.epochs * len(train_loader)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(int(0.15 * total), total))

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for x, y in train_loader:
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            running += loss.item() * len(y)
        acc = evaluate(model, val_loader)
        print(f"epoch {epoch:2d} lr {sched.get_last_lr()[0]:.2e} train_loss {running / len(xtr):.4f} val_acc {acc:.4f}")
    print(f"final val_acc {evaluate(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
