"""mixup: convex combinations of input pairs trained against the matching soft targets."""
# Written in the style of PyTorch's official examples.
# ruff: noqa: PLR0402

import argparse

import numpy as np
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


def mixup_batch(x, y, alpha, num_classes, rng):
    lam = float(rng.beta(alpha, alpha))
    index = torch.randperm(x.size(0))
    mixed_x = lam * x + (1 - lam) * x[index]
    soft = F.one_hot(y, num_classes).float()
    mixed_y = lam * soft + (1 - lam) * soft[index]
    return mixed_x, mixed_y


def main():
    parser = argparse.ArgumentParser(description="MLP on Gaussian clusters trained with mixup")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--alpha", type=float, default=0.4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.RandomState(args.seed)
    x, y = make_data(1800, 20, 10, args.seed)
    x_train, y_train, x_test, y_test = x[:1400], y[:1400], x[1400:], y[1400:]

    model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x_train))
        total = 0.0
        for i in range(0, len(order), args.batch_size):
            idx = order[i:i + args.batch_size]
            inputs, targets = mixup_batch(x_train[idx], y_train[idx], args.alpha, 10, rng)
            optimizer.zero_grad()
            loss = F.cross_entropy(model(inputs), targets)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            out = model(x_test)
            test_loss = F.cross_entropy(out, y_test).item()
            acc = (out.argmax(1) == y_test).float().mean().item()
        print(f"epoch {epoch}: mixup loss {total / len(x_train):.4f}  test loss {test_loss:.4f}  test acc {acc:.3f}")
    print(f"final test accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
