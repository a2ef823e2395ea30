"""Land-cover classifier from per-parcel terrain and spectral features (7 cover classes).

Deep-ish residual-free MLP for tabular data, SGD with momentum and an EMA copy of the
weights used for evaluation.
"""
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(42)
np.random.seed(42)

X, y = make_classification(n_samples=5000, n_features=20, n_informative=12, n_redundant=4,
                           n_classes=7, n_clusters_per_class=2, class_sep=1.4, random_state=42)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y, random_state=42)
scaler = StandardScaler().fit(X_tr)
X_tr, X_va = scaler.transform(X_tr).astype(np.float32), scaler.transform(X_va).astype(np.float32)
train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=64, shuffle=True)
X_va_t, y_va_t = torch.from_numpy(X_va), torch.from_numpy(y_va)


class LandCoverMLP(nn.Module):
    def __init__(self, d_in=20, width=128, depth=6, n_classes=7):
        super().__init__()
        layers, d = [], d_in
        for _ in range(depth):
            layers += [nn.Linear(d, width), nn.ReLU()]
            d = width
        self.body = nn.Sequential(*layers)
        self.out = nn.Linear(width, n_classes)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.out(self.body(x))


@torch.no_grad()
def ema_update(ema_model, model, decay=0.99):
    for e, p in zip(ema_model.parameters(), model.parameters()):
        e.mul_(decay).add_(p, alpha=1 - decay)


model = LandCoverMLP()
ema_model = copy.deepcopy(model)
for p in ema_model.parameters():
    p.requires_grad_(False)
optimizer = torch.optim.SGD(model.parameters(), lr=0.03, momentum=0.9, weight_decay=5e-4)
criterion = nn.CrossEntropyLoss()

for epoch in range(8):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        ema_update(ema_model, model)
        total += loss.item() * len(xb)
    ema_model.eval()
    with torch.no_grad():
        logits = ema_model(X_va_t)
        val_loss = criterion(logits, y_va_t).item()
        val_acc = (logits.argmax(1) == y_va_t).float().mean().item()
    if epoch % 2 == 1:
        print(f"epoch {epoch + 1}: train_loss={total / len(X_tr):.4f} ema_val_loss={val_loss:.4f} ema_val_acc={val_acc:.4f}")

print(f"final ema_val_loss={val_loss:.4f} ema_val_acc={val_acc:.4f}")
