"""Churn prediction for a telecom subscriber base.

Tabular features (tenure, usage, billing, support contacts, ...) -> will the customer leave
within 90 days. A small MLP trained with a hand-rolled SGD update (no torch.optim), the way our
old research notebooks did it so the update rule is explicit.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import roc_auc_score

torch.manual_seed(7)
np.random.seed(7)

FEATURES = ["tenure_m", "monthly_charge", "total_charge", "data_gb", "voice_min", "sms",
            "roam_min", "support_calls", "late_payments", "contract_len", "autopay",
            "device_age", "plan_changes", "dropped_calls", "complaints", "family_lines",
            "promo_months", "intl_min", "night_min", "app_logins"]

X, y = make_classification(n_samples=5000, n_features=len(FEATURES), n_informative=12,
                           n_redundant=4, n_clusters_per_class=3, class_sep=0.9,
                           weights=[0.55, 0.45], flip_y=0.02, random_state=7)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y, random_state=7)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_va = torch.tensor(scaler.transform(X_va), dtype=torch.float32)
y_tr = torch.tensor(y_tr, dtype=torch.float32)
y_va = torch.tensor(y_va, dtype=torch.float32)


def make_mlp(n_in, hidden, act):
    layers, d = [], n_in
    for h in hidden:
        layers += [nn.Linear(d, h), act()]
        d = h
    layers.append(nn.Linear(d, 1))
    return nn.Sequential(*layers)


model = make_mlp(X_tr.shape[1], [128, 64, 64, 32], act=nn.Sigmoid)
loss_fn = nn.BCEWithLogitsLoss()

lr = 0.1
batch_size = 64
epochs = 15
n = X_tr.shape[0]
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(n)
    running = 0.0
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        logits = model(X_tr[idx]).squeeze(1)
        loss = loss_fn(logits, y_tr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        va_logits = model(X_va).squeeze(1)
        va_loss = loss_fn(va_logits, y_va).item()
        auc = roc_auc_score(y_va.numpy(), va_logits.numpy())
    print(f"epoch {epoch + 1:2d}  train_loss {running / n:.4f}  val_loss {va_loss:.4f}  val_auc {auc:.4f}")

print(f"final val_auc {auc:.4f}")
