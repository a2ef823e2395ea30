"""Spectral-signature classifier: tanh MLP with LeCun-style init on hidden layers."""
import math

import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(11)
np.random.seed(11)

X, y = make_classification(n_samples=8000, n_features=40, n_informative=12, n_redundant=8,
                           n_classes=6, n_clusters_per_class=2, class_sep=2.0, flip_y=0.01,
                           random_state=11)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=11, stratify=y)
mean, std = X_tr.mean(axis=0), X_tr.std(axis=0)
X_tr, X_va = (X_tr - mean) / std, (X_va - mean) / std


def tensors(a, b):
    return TensorDataset(torch.tensor(a, dtype=torch.float32), torch.tensor(b, dtype=torch.long))


train_loader = DataLoader(tensors(X_tr, y_tr), batch_size=64, shuffle=True)
val_loader = DataLoader(tensors(X_va, y_va), batch_size=500)


class TanhMLP(nn.Module):
    def __init__(self, n_in, n_out, width=128, depth=3):
        super().__init__()
        dims = [n_in] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.head = nn.Linear(width, n_out)
        gain = nn.init.calculate_gain("tanh")
        for layer in self.hidden:
            fan_in = layer.weight.shape[1]
            nn.init.normal_(layer.weight, std=gain / math.sqrt(fan_in))
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        for layer in self.hidden:
            x = torch.tanh(layer(x))
        return self.head(x)


model = TanhMLP(X.shape[1], 6)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)

for epoch in range(1, 13):
    model.train()
    total, seen = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        seen += len(yb)
    scheduler.step()
    model.eval()
    with torch.no_grad():
        xb, yb = next(iter(val_loader))
        logits = model(xb)
        val_loss = criterion(logits, yb).item()
        val_acc = (logits.argmax(1) == yb).float().mean().item()
    if epoch % 3 == 0:
        print(f"epoch {epoch:2d} train_loss {total / seen:.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

print(f"final val_acc {val_acc:.4f}")
