"""Consumer-loan default model trained on the 2019-2022 loan book.

Columns are pulled from the servicing warehouse; the model scores applications.
"""
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score

torch.manual_seed(42)
rng = np.random.default_rng(42)

COLUMNS = ["income_k", "loan_amount_k", "term_months", "dti", "fico", "utilization",
           "open_lines", "inquiries_6m", "emp_years", "home_owner", "months_in_collections",
           "prior_delinquencies", "age"]


def load_loan_book(n=9000):
    Z, default = make_classification(n_samples=n, n_features=9, n_informative=6, n_redundant=2,
                                     flip_y=0.08, class_sep=0.7, weights=[0.72, 0.28], random_state=11)
    cols = {
        "income_k": np.exp(3.9 + 0.35 * Z[:, 0]),
        "loan_amount_k": np.clip(18 + 6 * Z[:, 1], 1, None),
        "term_months": rng.choice([36, 60], size=n).astype(float),
        "dti": np.clip(0.25 + 0.08 * Z[:, 2], 0, 1),
        "fico": np.clip(690 - 35 * Z[:, 3], 500, 850),
        "utilization": 1 / (1 + np.exp(-Z[:, 4])),
        "open_lines": np.clip(np.round(9 + 3 * Z[:, 5]), 0, None),
        "inquiries_6m": rng.poisson(np.exp(0.3 * Z[:, 6])).astype(float),
        "emp_years": np.clip(6 + 3 * Z[:, 7], 0, 40),
        "home_owner": (Z[:, 8] > 0.3).astype(float),
        "months_in_collections": np.where(default == 1, rng.poisson(4.0, n) + (rng.random(n) < 0.9), 0)
                                 * (rng.random(n) < 0.97),
        "prior_delinquencies": rng.poisson(0.4, n).astype(float),
        "age": rng.integers(21, 75, n).astype(float),
    }
    return cols, default.astype(np.float32)


cols, y = load_loan_book()
feature_cols = [c for c in COLUMNS]
X = np.stack([cols[c] for c in feature_cols], axis=1).astype(np.float32)

idx = rng.permutation(len(y))
tr, va, bt = idx[:6000], idx[6000:7500], idx[7500:]
mu, sd = X[tr].mean(0), X[tr].std(0) + 1e-6
Xs = (X - mu) / sd

# back-test set: the same loans as the application form recorded them
X_app = X[bt].copy()
for j, c in enumerate(feature_cols):
    if c == "months_in_collections":
        X_app[:, j] = 0.0
X_app = (X_app - mu) / sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xs[tr]), torch.from_numpy(y[tr])), batch_size=128, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xs[va]), torch.from_numpy(y[va])), batch_size=512)
app_loader = DataLoader(TensorDataset(torch.from_numpy(X_app), torch.from_numpy(y[bt])), batch_size=512)

model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
loss_fn = nn.BCEWithLogitsLoss()
sum_loss = nn.BCEWithLogitsLoss(reduction="sum")


def evaluate(loader):
    model.eval()
    total, n, scores, labels = 0.0, 0, [], []
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb).squeeze(1)
            total += sum_loss(logits, yb).item()
            n += len(yb)
            scores.append(torch.sigmoid(logits))
            labels.append(yb)
    s, l = torch.cat(scores).numpy(), torch.cat(labels).numpy()
    acc = ((s > 0.5) == (l > 0.5)).mean()
    return total / n, acc, roc_auc_score(l, s)


ckpt = os.path.join(tempfile.mkdtemp(), "best_model.pt")
best = float("inf")
for epoch in range(1, 16):
    model.train()
    tot, n = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
        tot += loss.item() * len(yb)
        n += len(yb)
    val_loss, val_acc, val_auc = evaluate(val_loader)
    if val_loss < best:
        best = val_loss
        torch.save(model, ckpt)
    print(f"epoch {epoch:2d} train loss {tot / n:.4f} val loss {val_loss:.4f} val acc {val_acc:.3f} val auc {val_auc:.3f}")

model = torch.load(ckpt, weights_only=False)
val_loss, val_acc, val_auc = evaluate(val_loader)
bt_loss, bt_acc, bt_auc = evaluate(app_loader)
print(f"final: val AUC {val_auc:.4f} val acc {val_acc:.4f} | back-test at application time AUC {bt_auc:.4f} acc {bt_acc:.4f}")
