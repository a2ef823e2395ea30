"""Small MLP on the Wisconsin diagnostic features, fitted full-batch with L-BFGS.

With ~450 training rows the whole set fits in one batch, so a quasi-Newton method
with a strong-Wolfe line search converges in a few dozen outer iterations.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split


class Net(nn.Module):
    def __init__(self, d_in, hidden=16):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x))).squeeze(-1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    data = load_breast_cancer()
    X_tr, X_va, y_tr, y_va = train_test_split(
        data.data, data.target, test_size=0.25, stratify=data.target, random_state=args.seed)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr = torch.tensor((X_tr - mu) / sd, dtype=torch.float32)
    X_va = torch.tensor((X_va - mu) / sd, dtype=torch.float32)
    y_tr = torch.tensor(y_tr, dtype=torch.float32)
    y_va = torch.tensor(y_va, dtype=torch.float32)

    model = Net(X_tr.shape[1])
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=10,
                                  line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        logits = model(X_tr)
        loss = F.binary_cross_entropy_with_logits(logits, y_tr)
        loss = loss + args.l2 * sum((p ** 2).sum() for n, p in model.named_parameters() if "weight" in n)
        loss.backward()
        return loss

    for it in range(1, args.iters + 1):
        model.train()
        loss = optimizer.step(closure)
        model.eval()
        with torch.no_grad():
            val_logits = model(X_va)
            val_loss = F.binary_cross_entropy_with_logits(val_logits, y_va).item()
        if it % 5 == 0 or it == 1:
            print(f"iter {it:3d}  train objective {loss.item():.4f}  val bce {val_loss:.4f}")

    with torch.no_grad():
        p = torch.sigmoid(model(X_va)).numpy()
    acc = ((p > 0.5) == y_va.numpy()).mean()
    auc = roc_auc_score(y_va.numpy(), p)
    print(f"final: val accuracy {acc:.4f}  val AUC {auc:.4f}")


if __name__ == "__main__":
    main()
