"""Breast-cancer diagnosis (scikit-learn's Wisconsin data, 30 features) with an MLP trained by
a hand-written SGD-with-momentum update (no torch.optim), step-decayed LR, and an EMA copy of
the weights (copy.deepcopy) used for evaluation. Evaluation sums the per-sample losses.
"""
import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

torch.manual_seed(13)
np.random.seed(13)

data = load_breast_cancer()
X_tr, X_va, y_tr, y_va = train_test_split(data.data, data.target, test_size=0.3, stratify=data.target,
                                          random_state=13)
mean, std = X_tr.mean(0), X_tr.std(0)
X_tr = torch.tensor((X_tr - mean) / std, dtype=torch.float32)
X_va = torch.tensor((X_va - mean) / std, dtype=torch.float32)
y_tr = torch.tensor(y_tr, dtype=torch.float32)
y_va = torch.tensor(y_va, dtype=torch.float32)

model = nn.Sequential(nn.Linear(30, 64), nn.Tanh(), nn.Dropout(0.2), nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 1))
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)

lr, momentum, wd, ema_decay = 0.05, 0.9, 1e-4, 0.98
velocity = [torch.zeros_like(p) for p in model.parameters()]
batch_size, epochs = 32, 40


def evaluate(net):
    net.eval()
    with torch.no_grad():
        logits = net(X_va).squeeze(1)
        total = F.binary_cross_entropy_with_logits(logits, y_va, reduction="sum").item()
    acc = ((logits > 0).float() == y_va).float().mean().item()
    return total / len(y_va), acc, roc_auc_score(y_va.numpy(), logits.numpy())


for epoch in range(epochs):
    if epoch in (25, 35):
        lr *= 0.2
    model.train()
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(perm), batch_size):
        idx = perm[i:i + batch_size]
        loss = F.binary_cross_entropy_with_logits(model(X_tr[idx]).squeeze(1), y_tr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(momentum).add_(p.grad + wd * p)
                p -= lr * v
            for pe, p in zip(ema.parameters(), model.parameters()):
                pe.mul_(ema_decay).add_(p, alpha=1 - ema_decay)
    if (epoch + 1) % 10 == 0:
        vl, va, auc = evaluate(ema)
        print(f"epoch {epoch + 1}  lr {lr:.4f}  ema val_loss {vl:.4f}  val_acc {va:.4f}  auc {auc:.4f}")

vl, va, auc = evaluate(ema)
print(f"final val_loss {vl:.4f}  val_acc {va:.4f}  val_auc {auc:.4f}")
