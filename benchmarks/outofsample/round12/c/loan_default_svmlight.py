"""Loan default scoring from an svmlight export.

The risk team exports applications in svmlight format (the same files feed their
linear-SVM baseline). We parse the export and train a small MLP on it.
"""
import io

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import dump_svmlight_file, load_svmlight_file
from sklearn.metrics import roc_auc_score

torch.manual_seed(11)
np.random.seed(11)


def build_export(n=12000, seed=11):
    """Stand-in for the nightly export: 14 standardised application features, +1 = default."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 14))
    X[:, 3] = np.abs(X[:, 3])                       # utilisation-like, one-sided
    X[:, 6] = (rng.random(n) < 0.3).astype(float)   # has_prior_delinquency
    X[:, 7] = (rng.random(n) < 0.55).astype(float)  # owns_home
    z = 2.0 * (1.1 * X[:, 0] - 0.9 * X[:, 1] + 0.8 * X[:, 3] ** 2 + 1.2 * X[:, 6]
         - 0.6 * X[:, 7] + 0.7 * X[:, 2] * X[:, 4] - 1.3)
    p = 1.0 / (1.0 + np.exp(-z))
    y = np.where(rng.random(n) < p, 1, -1)
    buf = io.BytesIO()
    dump_svmlight_file(X, y, buf, zero_based=True)
    buf.seek(0)
    return buf


X, y = load_svmlight_file(build_export(), n_features=14, zero_based=True)
X = torch.tensor(X.toarray(), dtype=torch.float32)
y = torch.tensor(y, dtype=torch.float32)

perm = torch.randperm(len(X))
n_val = 2000
val_idx, tr_idx = perm[:n_val], perm[n_val:]
X_tr, y_tr, X_va, y_va = X[tr_idx], y[tr_idx], X[val_idx], y[val_idx]
print(f"train {len(X_tr)}  val {len(X_va)}  default rate {(y_tr > 0).float().mean():.3f}")

model = nn.Sequential(
    nn.Linear(14, 64), nn.BatchNorm1d(64), nn.ReLU(),
    nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(),
    nn.Linear(32, 1),
)
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)

batch_size, epochs = 128, 15
for epoch in range(epochs):
    model.train()
    order = torch.randperm(len(X_tr))
    for i in range(0, len(order), batch_size):
        b = order[i:i + batch_size]
        logits = model(X_tr[b]).squeeze(1)
        loss = criterion(logits, y_tr[b])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    model.eval()
    with torch.no_grad():
        logits = model(X_va).squeeze(1)
        outcome = (y_va > 0).float()
        val_logloss = nn.functional.binary_cross_entropy_with_logits(logits, outcome, reduction="sum").item() / len(X_va)
        acc = ((logits > 0) == (y_va > 0)).float().mean().item()
        auc = roc_auc_score((y_va > 0).numpy(), logits.numpy())
    if epoch % 3 == 2:
        print(f"epoch {epoch + 1:2d}  loss {loss.item():.4f}  val_logloss {val_logloss:.4f}  val_acc {acc:.4f}  val_auc {auc:.4f}")

print(f"final val_acc {acc:.4f} val_auc {auc:.4f} val_logloss {val_logloss:.4f}")
