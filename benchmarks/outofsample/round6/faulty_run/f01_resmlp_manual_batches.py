"""Residual MLP on a synthetic 8-class tabular problem.

Batches are cut by hand from a permutation (no DataLoader); SGD with Nesterov
momentum and a OneCycle schedule stepped per batch.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class ResidualBlock(nn.Module):
    def __init__(self, width, dropout=0.1):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, 2 * width)
        self.fc2 = nn.Linear(2 * width, width)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        h = self.fc2(self.drop(F.gelu(self.fc1(self.norm(x)))))
        return x + h


class ResMLP(nn.Module):
    def __init__(self, d_in, width, depth, n_classes):
        super().__init__()
        self.inp = nn.Linear(d_in, width)
        self.blocks = nn.Sequential(*[ResidualBlock(width) for _ in range(depth)])
        self.norm = nn.LayerNorm(width)
        self.out = nn.Linear(width, n_classes)

    def forward(self, x):
        return self.out(self.norm(self.blocks(self.inp(x))))


def load_data(seed):
    X, y = make_classification(n_samples=6000, n_features=40, n_informative=24, n_redundant=8,
                               n_classes=8, n_clusters_per_class=2, class_sep=1.3,
                               flip_y=0.01, random_state=seed)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_tr)
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    return (to_t(scaler.transform(X_tr)), torch.tensor(y_tr),
            to_t(scaler.transform(X_va)), torch.tensor(y_va))


@torch.no_grad()
def evaluate(model, X, y, batch_size=512):
    model.eval()
    loss, correct = 0.0, 0
    for i in range(0, len(X), batch_size):
        out = model(X[i:i + batch_size])
        loss += F.cross_entropy(out, y[i:i + batch_size], reduction="sum").item()
        correct += (out.argmax(1) == y[i:i + batch_size]).sum().item()
    return loss / len(X), correct / len(X)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    X_tr, y_tr, X_va, y_va = load_data(args.seed)

    model = ResMLP(X_tr.shape[1], 128, 3, 8)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True,
                                weight_decay=5e-4)
    steps_per_epoch = (len(X_tr) + args.batch_size - 1) // args.batch_size
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr,
                                                    total_steps=args.epochs * steps_per_epoch)

    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(len(X_tr))
        running = 0.0
        for i in range(0, len(X_tr), args.batch_size):
            idx = perm[i:i + args.batch_size]
            logits = model(X_tr[idx])
            loss = F.cross_entropy(logits, y_tr[idx])
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item() * len(idx)
        val_loss, val_acc = evaluate(model, X_va, y_va)
        print(f"epoch {epoch:2d}  train_loss {running / len(X_tr):.4f}  "
              f"val_loss {val_loss:.4f}  val_acc {val_acc:.4f}")

    print(f"final val_acc={val_acc:.4f} val_loss={val_loss:.4f}")


if __name__ == "__main__":
    main()
