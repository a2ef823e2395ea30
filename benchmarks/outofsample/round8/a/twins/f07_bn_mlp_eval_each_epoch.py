"""Assay-activity classifier: 120 noisy descriptors, 3 activity classes, few labelled compounds.

MLP with BatchNorm and dropout, Adam, validation after every epoch with early-stopping style
best-checkpoint tracking. Prints the best validation accuracy.
"""
import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(21)
np.random.seed(21)

X, y = make_classification(n_samples=3000, n_features=120, n_informative=12, n_redundant=8,
                           n_classes=3, n_clusters_per_class=2, flip_y=0.02, class_sep=1.0,
                           random_state=21)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.3, stratify=y, random_state=21)
scaler = StandardScaler().fit(X_tr)
to_t = lambda a: torch.tensor(a, dtype=torch.float32)
train_loader = DataLoader(TensorDataset(to_t(scaler.transform(X_tr)), torch.tensor(y_tr)), batch_size=32,
                          shuffle=True, drop_last=True)
val_loader = DataLoader(TensorDataset(to_t(scaler.transform(X_va)), torch.tensor(y_va)), batch_size=300)

model = nn.Sequential(
    nn.Linear(120, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5),
    nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5),
    nn.Linear(256, 3),
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)


def validate():
    model.eval()
    correct, total, loss = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            loss += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            total += len(yb)
    return loss / total, correct / total


best_acc, best_state = 0.0, None
for epoch in range(1, 21):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
    val_loss, val_acc = validate()
    if val_acc > best_acc:
        best_acc, best_state = val_acc, copy.deepcopy(model.state_dict())
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  train_loss {loss.item():.4f}  val_loss {val_loss:.4f}  val_acc {val_acc:.4f}")

model.load_state_dict(best_state)
print(f"final val_loss {validate()[0]:.4f}  last val_acc {val_acc:.4f}  best val_acc {best_acc:.4f}")
