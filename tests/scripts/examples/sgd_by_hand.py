"""Hand-written SGD, no optimizer object (after PyTorch's regression example).

A small MLP fits a noisy polynomial; the update is
``with torch.no_grad(): for p in model.parameters(): p -= lr * p.grad`` then
``model.zero_grad()``.
"""
# Written in the style of PyTorch's official examples.
# ruff: noqa: PLR0402

import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

POLY_DEGREE = 4


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def get_batch(w_target, b_target, batch_size):
    x = torch.rand(batch_size) * 2 - 1
    features = make_features(x)
    y = features.mm(w_target) + b_target + 0.05 * torch.randn(batch_size, 1)
    return features, y


def main():
    parser = argparse.ArgumentParser(description="hand-written SGD on a polynomial")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--steps-per-epoch", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    w_target = torch.randn(POLY_DEGREE, 1)
    b_target = torch.randn(1)
    model = nn.Sequential(nn.Linear(POLY_DEGREE, 32), nn.Tanh(), nn.Linear(32, 1))
    x_val, y_val = get_batch(w_target, b_target, 256)

    for epoch in range(1, args.epochs + 1):
        total = 0.0
        for _ in range(args.steps_per_epoch):
            x, y = get_batch(w_target, b_target, args.batch_size)
            model.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= args.lr * p.grad
            total += loss.item()
        with torch.no_grad():
            val = F.mse_loss(model(x_val), y_val).item()
        print(f"epoch {epoch:2d} | train loss {total / args.steps_per_epoch:.4f} | val loss {val:.4f}")
    print(f"final val loss {val:.4f}")


if __name__ == "__main__":
    main()
