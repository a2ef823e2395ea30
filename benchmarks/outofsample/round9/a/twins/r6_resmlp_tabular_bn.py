"""Residual MLP with BatchNorm and dropout for a synthetic 5-class tabular task.

make_classification with informative, redundant and noise columns; standardised
with training statistics. Validation every epoch keeps the best weights; the
test score is read from those weights at the end.
"""
import copy
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)

X, y = make_classification(n_samples=5000, n_features=30, n_informative=12, n_redundant=8,
                           n_classes=5, n_clusters_per_class=2, class_sep=1.2,
                           flip_y=0.02, random_state=3)
X_tr, X_tmp, y_tr, y_tmp = train_test_split(X, y, test_size=0.4, random_state=0, stratify=y)
X_va, X_te, y_va, y_te = train_test_split(X_tmp, y_tmp, test_size=0.5, random_state=0, stratify=y_tmp)
scaler = StandardScaler().fit(X_tr)


def to_ds(a, b):
    return torch.utils.data.TensorDataset(torch.tensor(scaler.transform(a), dtype=torch.float32),
                                          torch.tensor(b))


train_loader = torch.utils.data.DataLoader(to_ds(X_tr, y_tr), batch_size=64, shuffle=True)
val_loader = torch.utils.data.DataLoader(to_ds(X_va, y_va), batch_size=16)
test_loader = torch.utils.data.DataLoader(to_ds(X_te, y_te), batch_size=16)


class Block(nn.Module):
    def __init__(self, d, p):
        super().__init__()
        self.net = nn.Sequential(nn.BatchNorm1d(d), nn.ReLU(), nn.Dropout(p), nn.Linear(d, d),
                                 nn.BatchNorm1d(d), nn.ReLU(), nn.Dropout(p), nn.Linear(d, d))

    def forward(self, x):
        return x + self.net(x)


class ResMLP(nn.Module):
    def __init__(self, d_in, d=128, n_blocks=3, n_out=5, p=0.3):
        super().__init__()
        self.stem = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[Block(d, p) for _ in range(n_blocks)])
        self.head = nn.Sequential(nn.BatchNorm1d(d), nn.ReLU(), nn.Linear(d, n_out))

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


def evaluate(model, loader):
    model.eval()
    correct, loss_sum = 0, 0.0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            loss_sum += nn.functional.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
    n = len(loader.dataset)
    return loss_sum / n, correct / n


model = ResMLP(X.shape[1])
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="max", factor=0.5, patience=2)
best_acc, best_state = -1.0, None

for epoch in range(1, 21):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
    val_loss, val_acc = evaluate(model, val_loader)
    scheduler.step(val_acc)
    if val_acc > best_acc:
        best_acc, best_state = val_acc, copy.deepcopy(model.state_dict())
    if epoch % 4 == 0:
        print(f"epoch {epoch:2d}  val loss {val_loss:.4f}  val acc {val_acc:.4f}")

model.load_state_dict(best_state)
test_loss, test_acc = evaluate(model, test_loader)
print(f"final best_val_acc={best_acc:.4f} test_loss={test_loss:.4f} test_acc={test_acc:.4f}")
