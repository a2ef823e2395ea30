import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(42)
np.random.seed(42)

X, y = load_breast_cancer(return_X_y=True)
y = 1 - y
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=42)
X_tr, X_va, y_tr, y_va = train_test_split(X_tr, y_tr, test_size=0.2, stratify=y_tr, random_state=42)
scaler = StandardScaler().fit(X_tr)
to_t = lambda a: torch.tensor(a, dtype=torch.float32)
X_tr, X_va, X_te = map(to_t, (scaler.transform(X_tr), scaler.transform(X_va), scaler.transform(X_te)))
y_tr, y_va, y_te = map(to_t, (y_tr, y_va, y_te))

pos_weight = (y_tr == 0).sum() / (y_tr == 1).sum()
print(f"malignant share {y_tr.mean():.3f}, pos_weight {pos_weight:.2f}")

model = nn.Sequential(
    nn.Linear(30, 64), nn.LayerNorm(64), nn.GELU(), nn.Dropout(0.3),
    nn.Linear(64, 32), nn.GELU(),
    nn.Linear(32, 1),
)
opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)

best_val, best_state, patience, bad = float("inf"), None, 15, 0
ckpt = os.path.join(tempfile.mkdtemp(), "best_model.pt")
gen = torch.Generator().manual_seed(0)

for epoch in range(300):
    model.train()
    perm = torch.randperm(len(X_tr), generator=gen)
    for i in range(0, len(perm), 32):
        idx = perm[i:i + 32]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(X_tr[idx]).squeeze(1)
        loss = loss_fn(logits.float(), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        v = loss_fn(model(X_va).squeeze(1).float(), y_va).item()
    if v < best_val - 1e-4:
        best_val, bad = v, 0
        torch.save(model, ckpt)
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch}, best val loss {best_val:.4f}")
            break

best = torch.load(ckpt, weights_only=False)
best.eval()
with torch.no_grad():
    p = torch.sigmoid(best(X_te).squeeze(1))
pred = (p > 0.5).float()
tp = ((pred == 1) & (y_te == 1)).sum().item()
fn = ((pred == 0) & (y_te == 1)).sum().item()
acc = (pred == y_te).float().mean().item()
print(f"final test accuracy {acc:.4f}, malignant recall {tp / (tp + fn):.4f}")
