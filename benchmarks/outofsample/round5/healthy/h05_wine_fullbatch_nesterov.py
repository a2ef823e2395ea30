"""Wine cultivar classification, full-batch training.

178 samples is small enough to use the whole training split as one batch every step (as one
would with L-BFGS, here SGD with Nesterov momentum and weight decay). Features are standardised with
training-set statistics. Validation uses summed cross-entropy divided by the number of samples.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(3)

X, y = load_wine(return_X_y=True)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.3, stratify=y, random_state=3)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_va = torch.tensor(scaler.transform(X_va), dtype=torch.float32)
y_tr, y_va = torch.tensor(y_tr), torch.tensor(y_va)

model = nn.Sequential(
    nn.Linear(13, 32), nn.Tanh(),
    nn.Linear(32, 32), nn.Tanh(),
    nn.Linear(32, 3),
)
for m in model:
    if isinstance(m, nn.Linear):
        nn.init.xavier_normal_(m.weight)
        nn.init.zeros_(m.bias)

optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, nesterov=True, weight_decay=5e-3)
train_loss_fn = nn.CrossEntropyLoss()
sum_loss_fn = nn.CrossEntropyLoss(reduction="sum")

for step in range(1, 151):
    model.train()
    optimizer.zero_grad()
    loss = train_loss_fn(model(X_tr), y_tr)
    loss.backward()
    optimizer.step()

    if step % 5 == 0:
        model.eval()
        with torch.no_grad():
            logits = model(X_va)
            val_loss = sum_loss_fn(logits, y_va).item() / len(y_va)
            val_acc = (logits.argmax(1) == y_va).float().mean().item()
        if step % 30 == 0:
            print(f"step {step:3d} train_loss {loss.item():.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

majority = np.bincount(y_va.numpy()).max() / len(y_va)
print(f"FINAL val_acc {val_acc:.4f} val_loss {val_loss:.4f} (majority {majority:.3f})")
