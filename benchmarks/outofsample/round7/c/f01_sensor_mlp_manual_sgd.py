"""Fault-type classification from 30 vibration-sensor features (synthetic plant data).

Eight fault classes, two operating regimes per class.  A 3-layer MLP trained with a
hand-written momentum-SGD update (no torch.optim), learning rate decayed by 0.5 every 10 epochs.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
np.random.seed(0)

X, y = make_classification(n_samples=6000, n_features=30, n_informative=14, n_redundant=6,
                           n_classes=8, n_clusters_per_class=2, class_sep=1.2, random_state=7)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
y_tr = torch.tensor(y_tr); y_te = torch.tensor(y_te)


class FaultNet(nn.Module):
    def __init__(self, d_in=30, hidden=128, n_classes=8):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, n_classes)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        # small, deterministic start so runs are comparable across machines
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.01)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)


model = FaultNet()
lr, momentum, batch_size, epochs = 0.05, 0.9, 64, 30
velocity = [torch.zeros_like(p) for p in model.parameters()]

for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr), batch_size):
        idx = perm[i:i + batch_size]
        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(momentum).add_(p.grad)
                p -= lr * v
    if (epoch + 1) % 10 == 0:
        lr *= 0.5

    model.eval()
    with torch.no_grad():
        logits = model(X_te)
        test_loss = F.cross_entropy(logits, y_te, reduction="sum").item() / len(y_te)
        acc = (logits.argmax(1) == y_te).float().mean().item()
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d}  train_loss {loss.item():.4f}  test_loss {test_loss:.4f}  test_acc {acc:.4f}")

print(f"final test_acc {acc:.4f}")
