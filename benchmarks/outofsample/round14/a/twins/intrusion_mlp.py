"""Network-flow classifier: benign traffic vs three attack families.

Flows are summarised into 24 numeric features (already log-scaled upstream).
A small MLP with BatchNorm, AdamW and a per-step cosine schedule.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
np.random.seed(7)

CLASSES = ["benign", "portscan", "bruteforce", "exfil"]

X, y = make_classification(
    n_samples=8000, n_features=24, n_informative=10, n_redundant=6,
    n_classes=4, n_clusters_per_class=2, weights=[0.94, 0.03, 0.02, 0.01],
    class_sep=1.4, flip_y=0.0, random_state=11,
)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
mu, sd = Xtr.mean(0), Xtr.std(0)
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

train_ds = TensorDataset(torch.tensor(Xtr, dtype=torch.float32), torch.tensor(ytr))
val_ds = TensorDataset(torch.tensor(Xva, dtype=torch.float32), torch.tensor(yva))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=512)

model = nn.Sequential(
    nn.Linear(24, 128), nn.BatchNorm1d(128), nn.ReLU(),
    nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(),
    nn.Linear(64, len(CLASSES)),
)
criterion = nn.CrossEntropyLoss(weight=torch.tensor((len(ytr) / (4 * np.bincount(ytr))) ** 0.5, dtype=torch.float32))
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
EPOCHS = 8
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS * len(train_loader))


def evaluate():
    model.eval()
    preds, loss_sum = [], 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            loss_sum += criterion(out, yb).item() * len(yb)
            preds.append(out.argmax(1))
    p = torch.cat(preds).numpy()
    return loss_sum / len(val_ds), balanced_accuracy_score(yva, p), f1_score(yva, p, average="macro")


for epoch in range(EPOCHS):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(yb)
    vl, bacc, mf1 = evaluate()
    print(f"epoch {epoch + 1:2d}  train_loss {total / len(train_ds):.4f}  val_loss {vl:.4f}  "
          f"val_bal_acc {bacc:.3f}  val_macro_f1 {mf1:.3f}")

vl, bacc, mf1 = evaluate()
print(f"final val_balanced_accuracy {bacc:.4f} macro_f1 {mf1:.4f}")
