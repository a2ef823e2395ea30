"""Whole-model checkpoints (after the word_language_model example).

``torch.save(model, f)`` after each epoch that improves the validation loss, then
``torch.load(f, weights_only=False)`` of the best model for the final test.
"""
# Written in the style of PyTorch's official examples.
# ruff: noqa: PLR0402

import argparse
import os
import tempfile

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


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        out = model(x)
        return F.cross_entropy(out, y).item(), (out.argmax(1) == y).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description="MLP on Gaussian clusters with whole-model checkpoints")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    x, y = make_data(1800, 20, 10, args.seed)
    perm = torch.randperm(len(x))
    x, y = x[perm], y[perm]
    x_train, y_train, x_val, y_val, x_test, y_test = x[:1200], y[:1200], x[1200:1500], y[1200:1500], x[1500:], y[1500:]

    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    best_val = None
    with tempfile.TemporaryDirectory() as tmp:
        save = os.path.join(tmp, "model.pt")
        for epoch in range(1, args.epochs + 1):
            model.train()
            order = torch.randperm(len(x_train))
            for i in range(0, len(order), args.batch_size):
                idx = order[i:i + args.batch_size]
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
                loss.backward()
                optimizer.step()
            val_loss, val_acc = evaluate(model, x_val, y_val)
            print(f"| end of epoch {epoch:2d} | valid loss {val_loss:.4f} | valid acc {val_acc:.3f}")
            if best_val is None or val_loss < best_val:
                with open(save, "wb") as f:
                    torch.save(model, f)
                best_val = val_loss
        with open(save, "rb") as f:
            model = torch.load(f, weights_only=False)
    test_loss, test_acc = evaluate(model, x_test, y_test)
    print(f"| End of training | test loss {test_loss:.4f} | test acc {test_acc:.3f}")


if __name__ == "__main__":
    main()
