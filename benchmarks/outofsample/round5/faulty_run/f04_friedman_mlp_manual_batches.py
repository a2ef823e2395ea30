"""Surrogate model for a 10-input simulator (Friedman #1 response surface + sensor noise).

Small tabular regression: everything fits in memory, so batches are sliced from a
permutation instead of going through a DataLoader.
"""
import time

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.metrics import r2_score

SEED = 0
EPOCHS = 20
BATCH = 32
HIDDEN = 128
LR = 0.5

torch.manual_seed(SEED)
np.random.seed(SEED)

X, y = make_friedman1(n_samples=6000, n_features=10, noise=0.5, random_state=SEED)
X_train, y_train = X[:5000], y[:5000]
X_val, y_val = X[5000:], y[5000:]

x_mu, x_sd = X_train.mean(0), X_train.std(0)
y_mu, y_sd = y_train.mean(), y_train.std()
to_t = lambda a: torch.tensor(a, dtype=torch.float32)
X_train, X_val = to_t((X_train - x_mu) / x_sd), to_t((X_val - x_mu) / x_sd)
y_train, y_val = to_t((y_train - y_mu) / y_sd)[:, None], to_t((y_val - y_mu) / y_sd)[:, None]


class Surrogate(nn.Module):
    def __init__(self, n_in, hidden):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
        )
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.out(self.body(x))


model = Surrogate(X_train.shape[1], HIDDEN)
optimizer = torch.optim.SGD(model.parameters(), lr=LR)
loss_fn = nn.MSELoss()

n = X_train.shape[0]
t0 = time.time()
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(n)
    running = 0.0
    for start in range(0, n, BATCH):
        idx = perm[start:start + BATCH]
        xb, yb = X_train[idx], y_train[idx]
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        val_mse = loss_fn(model(X_val), y_val).item()
    print(f"epoch {epoch + 1:2d}  train_mse {running / n:.4f}  val_mse {val_mse:.4f}")

with torch.no_grad():
    pred = model(X_val).numpy().ravel() * y_sd + y_mu
r2 = r2_score(y_val.numpy().ravel() * y_sd + y_mu, pred)
print(f"final val_mse={val_mse:.4f} val_r2={r2:.4f} ({time.time() - t0:.1f}s)")
