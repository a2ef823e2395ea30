"""Huber (smooth L1) regression on unstandardised targets (about 150 +- 77, like the diabetes data).

A noisy sine-wave surface of standardised inputs, offset to 150 and scaled to +-77. The
inputs are standardised, the targets are not: with Huber's bounded gradient that is
healthy, and the output bias starts at the training-target mean.
"""
# Written in the style of PyTorch's official examples.
# ruff: noqa: PLR0402

import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_data(n, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 4, generator=g) * 2 * math.pi - math.pi
    y = 150 + 120 * torch.sin(x[:, 0]) * torch.cos(0.5 * x[:, 1]) + 60 * torch.sin(x[:, 2]) + 20 * torch.randn(n, generator=g)
    return (x - x.mean(0)) / x.std(0), y.unsqueeze(1)


def main():
    parser = argparse.ArgumentParser(description="Huber regression on raw-scale targets")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--beta", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    x, y = make_data(800, args.seed)
    x_train, y_train, x_test, y_test = x[:600], y[:600], x[600:], y[600:]
    print(f"targets: mean {y_train.mean().item():.1f}, std {y_train.std().item():.1f}")

    model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 1))
    with torch.no_grad():
        model[2].bias.fill_(y_train.mean().item())
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x_train))
        total = 0.0
        for i in range(0, len(order), args.batch_size):
            idx = order[i:i + args.batch_size]
            optimizer.zero_grad()
            loss = F.smooth_l1_loss(model(x_train[idx]), y_train[idx], beta=args.beta)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            pred = model(x_test)
            mae = (pred - y_test).abs().mean().item()
        if epoch % 5 == 0:
            print(f"epoch {epoch:3d}  train huber {total / len(x_train):8.3f}  test MAE {mae:7.3f}")
    print(f"final test MAE {mae:.3f}")


if __name__ == "__main__":
    main()
