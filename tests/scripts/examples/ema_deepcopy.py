"""An exponential moving average of the weights kept in a ``copy.deepcopy`` of the model.

The copy is made after the optimizer (timm's order), updated after every optimizer step,
and it is the model that gets evaluated.
"""
# Written in the style of PyTorch's official examples.
# ruff: noqa: PLR0402

import argparse
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_data(n, features, classes, seed):
    """Gaussian clusters, one per class, in standardised features (a seeded stand-in for a real dataset)."""
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(classes, features, generator=g)
    y = torch.randint(0, classes, (n,), generator=g)
    x = centres[y] + 1.4 * torch.randn(n, features, generator=g)
    return (x - x.mean(0)) / x.std(0), y


def main():
    parser = argparse.ArgumentParser(description="MLP on Gaussian clusters with an EMA of its weights")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--ema-decay", type=float, default=0.95)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    x, y = make_data(1800, 20, 10, args.seed)
    x_train, y_train, x_test, y_test = x[:1400], y[:1400], x[1400:], y[1400:]

    model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    # as in timm's train.py, the EMA copy is made after the optimizer
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)

    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x_train))
        total = 0.0
        for i in range(0, len(order), args.batch_size):
            idx = order[i:i + args.batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                for e, p in zip(ema.parameters(), model.parameters()):
                    e.mul_(args.ema_decay).add_(p, alpha=1 - args.ema_decay)
            total += loss.item() * len(idx)
        ema.eval()
        with torch.no_grad():
            out = ema(x_test)
            test_loss = F.cross_entropy(out, y_test).item()
            acc = (out.argmax(1) == y_test).float().mean().item()
        print(f"epoch {epoch}: train loss {total / len(x_train):.4f}, EMA test loss {test_loss:.4f}, EMA acc {acc:.3f}")
    print(f"final EMA test accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
