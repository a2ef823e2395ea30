"""A training script that crashes on purpose in its second epoch, to compare tracebacks.

``--where backward`` (default): the loss is switched to reduction='none' and a non-scalar
tensor reaches ``loss.backward()`` (RuntimeError from autograd).
``--where loss``: the targets lose their last element, so the loss function itself raises
(ValueError, batch sizes differ).
"""
# Written in the style of PyTorch's official examples.
# ruff: noqa: PLR0402

import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F


def main():
    parser = argparse.ArgumentParser(description="crashes in epoch 2")
    parser.add_argument("--where", choices=("backward", "loss"), default="backward")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    x = torch.randn(512, 10)
    y = (x[:, 0] + x[:, 1] > 0).long()
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(1, args.epochs + 1):
        total = 0.0
        for i in range(0, 512, 64):
            xb, yb = x[i:i + 64], y[i:i + 64]
            if epoch == 2 and args.where == "loss":
                yb = yb[:-1]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb, reduction="none" if epoch == 2 else "mean")
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch}: loss {total / 8:.4f}")
    print("done")


if __name__ == "__main__":
    main()
