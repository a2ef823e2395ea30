"""Malignancy score from 30 cell-nucleus measurements (WDBC), deliberately tiny model.

The clinic wants a model small enough to audit by hand: 30 -> 4 (tanh) -> 1.
Written without torch.optim: plain mini-batch SGD updates, L2 penalty in the loss,
learning rate halved every 30 epochs.
"""
import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

torch.manual_seed(1)

data = load_breast_cancer()
X, y = data.data, (data.target == 0).astype(np.float32)     # 1 = malignant
X = np.log1p(X)                                              # areas / perimeters are skewed
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=1)
mu, sd = X_tr.mean(0), X_tr.std(0)
X_tr = torch.tensor((X_tr - mu) / sd, dtype=torch.float32)
X_te = torch.tensor((X_te - mu) / sd, dtype=torch.float32)
y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

W1 = (torch.randn(30, 4) * (1.0 / 30) ** 0.5).requires_grad_()
b1 = torch.zeros(4, requires_grad=True)
w2 = (torch.randn(4, 1) * (1.0 / 4) ** 0.5).requires_grad_()
b2 = torch.full((1,), float(np.log(y_tr.mean().item() / (1 - y_tr.mean().item()))), requires_grad=True)
params = [W1, b1, w2, b2]


def model(x):
    return (torch.tanh(x @ W1 + b1) @ w2 + b2).squeeze(1)


lr, lam, bs = 0.1, 1e-2, 32
n = len(y_tr)
for epoch in range(90):
    perm = torch.randperm(n)
    for i in range(0, n, bs):
        idx = perm[i:i + bs]
        logits = model(X_tr[idx])
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y_tr[idx])
        loss = loss + lam * (W1.pow(2).sum() + w2.pow(2).sum())
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()
    if (epoch + 1) % 30 == 0:
        lr *= 0.5
        with torch.no_grad():
            te_logits = model(X_te)
            # summed over the test set, then divided once
            te_nll = torch.nn.functional.binary_cross_entropy_with_logits(te_logits, y_te, reduction="sum") / len(y_te)
            tr_nll = torch.nn.functional.binary_cross_entropy_with_logits(model(X_tr), y_tr)
        print(f"epoch {epoch + 1} train_nll {tr_nll:.4f} test_nll {te_nll:.4f} lr -> {lr}")

with torch.no_grad():
    s = torch.sigmoid(model(X_te))
acc = ((s > 0.5).float() == y_te).float().mean().item()
print(f"final test_acc {acc:.4f} AUC {roc_auc_score(y_te.numpy(), s.numpy()):.4f} "
      f"(majority baseline {max(y_te.mean().item(), 1 - y_te.mean().item()):.4f}; {sum(p.numel() for p in params)} parameters)")
