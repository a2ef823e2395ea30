"""Breast-cancer diagnosis (Wisconsin), full-batch Adam with early stopping.

Train/val/test = 60/20/20, stratified. Features standardised on the training split. The whole
training split (341 rows) is one batch per step; validation loss is checked every step, the best
weights are kept with copy.deepcopy(model.state_dict()) and training stops after 40 steps without
improvement. The output bias starts at the log-odds of the training prior.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(17)

X, y = load_breast_cancer(return_X_y=True)
X_tmp, X_te, y_tmp, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=17)
X_tr, X_va, y_tr, y_va = train_test_split(X_tmp, y_tmp, test_size=0.25, stratify=y_tmp, random_state=17)
sc = StandardScaler().fit(X_tr)
t = lambda a: torch.tensor(a, dtype=torch.float32)
X_tr, X_va, X_te = t(sc.transform(X_tr)), t(sc.transform(X_va)), t(sc.transform(X_te))
y_tr, y_va, y_te = t(y_tr), t(y_va), t(y_te)

model = nn.Sequential(
    nn.Linear(30, 64), nn.ReLU(), nn.Dropout(0.3),
    nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.3),
    nn.Linear(32, 1),
)
prior = y_tr.mean().item()
with torch.no_grad():
    model[-1].bias.fill_(np.log(prior / (1 - prior)))

criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)

best_loss, best_state, best_step, patience = float("inf"), None, 0, 40
for step in range(1, 1001):
    model.train()
    optimizer.zero_grad()
    loss = criterion(model(X_tr).squeeze(1), y_tr)
    loss.backward()
    optimizer.step()

    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(X_va).squeeze(1), y_va).item()
    if val_loss < best_loss - 1e-4:
        best_loss, best_state, best_step = val_loss, copy.deepcopy(model.state_dict()), step
    if step % 25 == 0:
        print(f"step {step:3d} train_loss {loss.item():.4f} val_loss {val_loss:.4f}")
    if step - best_step >= patience:
        print(f"early stop at step {step}, best val_loss {best_loss:.4f} at step {best_step}")
        break

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    p_te = torch.sigmoid(model(X_te).squeeze(1))
acc = ((p_te > 0.5).float() == y_te).float().mean().item()
auc = roc_auc_score(y_te.numpy(), p_te.numpy())
print(f"FINAL test_acc {acc:.4f} test_auc {auc:.4f} (majority {max(y_te.mean().item(), 1 - y_te.mean().item()):.3f})")
