"""Credit-default style tabular model: dev/holdout split, then train/val inside dev."""
import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

torch.manual_seed(21)
X, y = make_classification(n_samples=5000, n_features=24, n_informative=10, n_redundant=4,
                           n_classes=2, flip_y=0.08, class_sep=0.8, random_state=21)
X_dev, X_hold, y_dev, y_hold = train_test_split(X, y, test_size=0.2, random_state=21, stratify=y)
X_tr, X_val, y_tr, y_val = train_test_split(X_dev, y_dev, train_size=0.2, random_state=21, stratify=y_dev)
scaler = StandardScaler().fit(X_tr)
f = lambda a: torch.tensor(scaler.transform(a), dtype=torch.float32)
X_tr, X_val, X_hold = f(X_tr), f(X_val), f(X_hold)
y_tr, y_val, y_hold = (torch.tensor(a, dtype=torch.float32) for a in (y_tr, y_val, y_hold))

model = nn.Sequential(
    nn.Linear(24, 256), nn.ReLU(), nn.Dropout(0.2),
    nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.2),
    nn.Linear(256, 1),
)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
loss_fn = nn.BCEWithLogitsLoss()
batch_size = 64

for epoch in range(1, 21):
    model.train()
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(perm), batch_size):
        idx = perm[i:i + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(X_tr[idx]).squeeze(1), y_tr[idx])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        tr_loss = loss_fn(model(X_tr).squeeze(1), y_tr).item()
        val_logits = model(X_val).squeeze(1)
        val_loss = loss_fn(val_logits, y_val).item()
        val_acc = ((val_logits > 0).float() == y_val).float().mean().item()
    if epoch % 4 == 0:
        print(f"epoch {epoch:2d} train_loss {tr_loss:.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

with torch.no_grad():
    hold_logits = model(X_hold).squeeze(1)
    hold_loss = loss_fn(hold_logits, y_hold).item()
    hold_acc = ((hold_logits > 0).float() == y_hold).float().mean().item()
print(f"final holdout_loss {hold_loss:.4f} holdout_acc {hold_acc:.4f}")
