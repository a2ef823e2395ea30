"""Breast-cancer classifier; labels were prepared for an SVM baseline earlier in the notebook."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)

X, y = load_breast_cancer(return_X_y=True)
y = np.where(y == 1, 1.0, -1.0)  # SVM-style labels
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=3, stratify=y)
sc = StandardScaler().fit(Xtr)
Xtr, Xva = sc.transform(Xtr), sc.transform(Xva)

svm = LinearSVC(C=0.1, max_iter=5000).fit(Xtr, ytr)
print(f"svm baseline val_acc {svm.score(Xva, yva):.4f}")

t = lambda a: torch.tensor(a, dtype=torch.float32)
train_loader = DataLoader(TensorDataset(t(Xtr), t(ytr)), batch_size=32, shuffle=True)
Xva_t, yva_t = t(Xva), t(yva)

model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
criterion = nn.BCEWithLogitsLoss()

for epoch in range(60):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
    if epoch % 15 == 14:
        model.eval()
        with torch.no_grad():
            logits = model(Xva_t).squeeze(1)
            val_loss = criterion(logits, yva_t).item()
            acc = ((logits > 0).float() == (yva_t > 0).float()).float().mean().item()
        print(f"epoch {epoch+1} train_loss {loss.item():.4f} val_loss {val_loss:.4f} val_acc {acc:.4f}")

print(f"final val_acc {acc:.4f}")
