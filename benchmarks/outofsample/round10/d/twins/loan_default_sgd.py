"""Loan default scoring from 30 application features (synthetic credit book).

Small MLP, hand-written SGD with heavy-ball momentum and L2 weight decay (no torch.optim),
full-pass evaluation on a held-out 30% after every epoch.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

CFG = dict(lr=0.02, momentum=0.9, weight_decay=3e-2, epochs=60, batch_size=32, hidden=256, seed=0)


def load_book():
    X, y = make_classification(n_samples=1500, n_features=30, n_informative=6, n_redundant=4,
                               flip_y=0.06, class_sep=0.9, random_state=11)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    f = lambda a: torch.tensor((a - mu) / sd, dtype=torch.float32)
    return f(Xtr), torch.tensor(ytr), f(Xva), torch.tensor(yva)


def main():
    torch.manual_seed(CFG["seed"])
    Xtr, ytr, Xva, yva = load_book()
    h = CFG["hidden"]
    model = nn.Sequential(nn.Linear(Xtr.shape[1], h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 2))
    velocity = [torch.zeros_like(p) for p in model.parameters()]
    lr, mom, wd = CFG["lr"], CFG["momentum"], CFG["weight_decay"]

    for epoch in range(CFG["epochs"]):
        model.train()
        perm = torch.randperm(len(Xtr))
        for i in range(0, len(perm), CFG["batch_size"]):
            idx = perm[i:i + CFG["batch_size"]]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p, v in zip(model.parameters(), velocity):
                    d_p = p.grad.add(p, alpha=wd)
                    v.mul_(mom).add_(d_p)
                    p -= lr * v
        model.eval()
        with torch.no_grad():
            tr_loss = F.cross_entropy(model(Xtr), ytr).item()
            out = model(Xva)
            va_loss = F.cross_entropy(out, yva).item()
            va_acc = (out.argmax(1) == yva).float().mean().item()
            va_auc = roc_auc_score(yva.numpy(), out.softmax(1)[:, 1].numpy())
        if epoch % 10 == 9:
            print(f"epoch {epoch + 1:3d} train_loss {tr_loss:.4f} val_loss {va_loss:.4f} val_acc {va_acc:.4f} val_auc {va_auc:.4f}")
    print(f"final val_acc={va_acc:.4f} val_auc={va_auc:.4f} val_loss={va_loss:.4f}")


if __name__ == "__main__":
    main()
