"""Classification with nn.CrossEntropyLoss(label_smoothing=0.1): the loss floor is above zero."""
# Written in the style of PyTorch's official examples.
# ruff: noqa: PLR0402

import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_data(n, features, classes, seed):
    """Gaussian clusters, one per class, in standardised features (a seeded stand-in for a real dataset)."""
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(classes, features, generator=g)
    y = torch.randint(0, classes, (n,), generator=g)
    x = centres[y] + 1.4 * torch.randn(n, features, generator=g)
    return (x - x.mean(0)) / x.std(0), y


def main():
    parser = argparse.ArgumentParser(description="MLP on Gaussian clusters with label smoothing")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--smoothing", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    x, y = make_data(1800, 20, 10, args.seed)
    train_loader = DataLoader(TensorDataset(x[:1400], y[:1400]), batch_size=args.batch_size, shuffle=True)

    model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 10))
    criterion = nn.CrossEntropyLoss(label_smoothing=args.smoothing)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True)
    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for data, target in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(data), target)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(data)
        model.eval()
        with torch.no_grad():
            out = model(x[1400:])
            test_loss = criterion(out, y[1400:]).item()
            acc = (out.argmax(1) == y[1400:]).float().mean().item()
        print(f"epoch {epoch}: train loss {total / 1400:.4f}  test loss {test_loss:.4f}  test acc {acc:.3f}")
    print(f"final test accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
