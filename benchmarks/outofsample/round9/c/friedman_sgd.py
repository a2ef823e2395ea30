"""Tanh MLP on the Friedman #1 response surface, trained with a hand-written SGD update.

No torch.optim on purpose: the update, momentum buffer and step decay are written out so the
script can be ported to a microcontroller trainer later. Evaluation reports the validation MSE
summed over all samples and divided once at the end.
"""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_friedman1
from torch import nn

torch.manual_seed(123)

X, y = make_friedman1(n_samples=4000, n_features=10, noise=0.5, random_state=123)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
X_train, y_train, X_val, y_val = X[:3200], y[:3200], X[3200:], y[3200:]
x_mean, x_std = X_train.mean(0), X_train.std(0)
y_mean, y_std = y_train.mean(), y_train.std()
X_train, X_val = (X_train - x_mean) / x_std, (X_val - x_mean) / x_std
y_train_n, y_val_n = (y_train - y_mean) / y_std, (y_val - y_mean) / y_std

model = nn.Sequential(nn.Linear(10, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))

lr, momentum, batch_size, epochs = 0.05, 0.9, 32, 30
val_var = y_val_n.var(unbiased=False).item()
velocity = [torch.zeros_like(p) for p in model.parameters()]


def evaluate():
    model.eval()
    sse = 0.0
    with torch.no_grad():
        for i in range(0, len(X_val), 256):
            pred = model(X_val[i:i + 256])
            sse += F.mse_loss(pred, y_val_n[i:i + 256], reduction="sum").item()
    model.train()
    return sse / len(X_val)


for epoch in range(epochs):
    if epoch in (15, 25):
        lr *= 0.2
    perm = torch.randperm(len(X_train))
    for i in range(0, len(X_train), batch_size):
        idx = perm[i:i + batch_size]
        pred = model(X_train[idx])
        loss = F.mse_loss(pred, y_train_n[idx], reduction="sum")
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(momentum).add_(p.grad)
                p -= lr * v
    if epoch % 5 == 4 or epoch == epochs - 1:
        val_mse = evaluate()
        print(f"epoch {epoch + 1:2d}  lr {lr:.4f}  val MSE (standardised) {val_mse:.4f}  R2 {1 - val_mse / val_var:.4f}")

val_mse = evaluate()
rmse = float(np.sqrt(val_mse)) * y_std.item()
print(f"final val RMSE {rmse:.3f}  R2 {1 - val_mse / val_var:.4f}")
