"""AdamW with clip_grad_norm_(..., 0.25) and a linear warm-up then cosine learning-rate schedule."""
# Written in the style of PyTorch's official examples.
# ruff: noqa: PLR0402

import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import LambdaLR


def make_data(n, features, classes, seed):
    """Gaussian clusters, one per class, in standardised features (a seeded stand-in for a real dataset)."""
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(classes, features, generator=g)
    y = torch.randint(0, classes, (n,), generator=g)
    x = centres[y] + 1.4 * torch.randn(n, features, generator=g)
    return (x - x.mean(0)) / x.std(0), y


def warmup_cosine(warmup, total):
    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * progress))
    return factor


def main():
    parser = argparse.ArgumentParser(description="MLP on Gaussian clusters, AdamW + clipping + warm-up/cosine")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--clip", type=float, default=0.25)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    x, y = make_data(1800, 20, 10, args.seed)
    x_train, y_train, x_test, y_test = x[:1400], y[:1400], x[1400:], y[1400:]

    model = nn.Sequential(nn.Linear(20, 128), nn.GELU(), nn.Linear(128, 10))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = math.ceil(len(x_train) / args.batch_size)
    scheduler = LambdaLR(optimizer, warmup_cosine(args.warmup, args.epochs * steps_per_epoch))

    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x_train))
        total = 0.0
        for i in range(0, len(order), args.batch_size):
            idx = order[i:i + args.batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            out = model(x_test)
            acc = (out.argmax(1) == y_test).float().mean().item()
        print(f"epoch {epoch}  lr {scheduler.get_last_lr()[0]:.2e}  train loss {total / len(x_train):.4f}  test acc {acc:.3f}")
    print(f"final test accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
