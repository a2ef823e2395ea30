"""Fault detection for industrial pumps from 24 aggregated sensor statistics.

Three classes: normal operation, bearing wear, cavitation. Faults are rare in the logs, as
they are in the plant. MLP with BatchNorm, standard PyTorch loop.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

SEED = 17
torch.manual_seed(SEED)

X, y = make_classification(n_samples=12000, n_features=24, n_informative=8, n_redundant=4,
                           n_classes=3, n_clusters_per_class=2, weights=[0.955, 0.03, 0.015],
                           class_sep=0.8, flip_y=0.0, random_state=SEED)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=SEED)
scaler = StandardScaler().fit(X_tr)
X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
print("train class counts:", np.bincount(y_tr))

train_loader = DataLoader(TensorDataset(torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr)),
                          batch_size=256, shuffle=True)
test_x, test_y = torch.tensor(X_te, dtype=torch.float32), torch.tensor(y_te)

model = nn.Sequential(
    nn.Linear(24, 64), nn.BatchNorm1d(64), nn.ReLU(),
    nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(),
    nn.Linear(32, 3),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-3)

for epoch in range(1, 6):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
    model.eval()
    with torch.no_grad():
        logits = model(test_x)
        test_loss = criterion(logits, test_y).item()
        acc = (logits.argmax(1) == test_y).float().mean().item()
    print(f"epoch {epoch}: train loss {total / len(train_loader.dataset):.4f}  "
          f"test loss {test_loss:.4f}  test acc {acc:.4f}")

print(f"final test_loss={test_loss:.4f} test_acc={acc:.4f}")
