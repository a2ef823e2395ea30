"""Disease progression regression (sklearn diabetes) with model selection on a validation split.

The best checkpoint by validation MSE is kept (deep copy), saved whole, and scored once on
the held-out test split.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes

torch.manual_seed(5)
rng = np.random.default_rng(5)

data = load_diabetes()
X, y = data.data.astype(np.float32), data.target.astype(np.float32)

n = len(X)
n_test, n_val = 100, 80
perm = rng.permutation(n)
test_idx = perm[:n_test]
train_idx = perm[n_test + n_val:]
val_idx = perm[-n_val:]

x_mu, x_sd = X[train_idx].mean(0), X[train_idx].std(0)
y_mu, y_sd = y[train_idx].mean(), y[train_idx].std()


def tensors(ix):
    return torch.tensor((X[ix] - x_mu) / x_sd), torch.tensor((y[ix] - y_mu) / y_sd).unsqueeze(1)


Xtr, ytr = tensors(train_idx)
Xva, yva = tensors(val_idx)
Xte, yte = tensors(test_idx)

model = nn.Sequential(
    nn.Linear(10, 256), nn.GELU(),
    nn.Linear(256, 256), nn.GELU(),
    nn.Linear(256, 1),
)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
loss_fn = nn.MSELoss()

best_val, best_model, best_epoch = float("inf"), None, -1
for epoch in range(300):
    model.train()
    order = torch.randperm(len(Xtr))
    for i in range(0, len(order), 32):
        b = order[i:i + 32]
        optimizer.zero_grad()
        loss = loss_fn(model(Xtr[b]), ytr[b])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_mse = loss_fn(model(Xva), yva).item()
    if val_mse < best_val:
        best_val, best_model, best_epoch = val_mse, copy.deepcopy(model), epoch
    if epoch % 50 == 49:
        print(f"epoch {epoch + 1}  train_mse {loss.item():.4f}  val_mse {val_mse:.4f}")

path = os.path.join(tempfile.gettempdir(), "diabetes_best_model.pt")
torch.save(best_model, path)
best_model = torch.load(path, weights_only=False)
best_model.eval()
with torch.no_grad():
    pred = best_model(Xte)
r2 = 1 - ((pred - yte) ** 2).sum().item() / ((yte - yte.mean()) ** 2).sum().item()
print(f"best epoch {best_epoch + 1}  val_mse {best_val:.4f}")
print(f"final test R2 {r2:.4f}")
