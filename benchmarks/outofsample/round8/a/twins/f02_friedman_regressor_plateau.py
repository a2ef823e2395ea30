"""Nonlinear response-surface regression (Friedman #1 benchmark, 10 inputs, 5 informative).

Plain PyTorch loop: MLP with SiLU, AdamW, standardised inputs and targets.
Reports validation RMSE (in target units) and R^2.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_friedman1
from sklearn.metrics import r2_score

torch.manual_seed(7)
np.random.seed(7)

X, y = make_friedman1(n_samples=3000, n_features=10, noise=0.5, random_state=7)
X_tr, X_va, y_tr, y_va = X[:2400], X[2400:], y[:2400], y[2400:]
x_mu, x_sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()


def prep(X, y):
    return TensorDataset(torch.tensor((X - x_mu) / x_sd, dtype=torch.float32),
                         torch.tensor((y - y_mu) / y_sd, dtype=torch.float32))


train_loader = DataLoader(prep(X_tr, y_tr), batch_size=64, shuffle=True)
val_loader = DataLoader(prep(X_va, y_va), batch_size=256)


class Regressor(nn.Module):
    def __init__(self, d_in, hidden=128):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.SiLU(),
                                 nn.Linear(hidden, hidden), nn.SiLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x)


model = Regressor(X.shape[1])
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)


def evaluate():
    model.eval()
    sse, preds = 0.0, []
    with torch.no_grad():
        for xb, yb in val_loader:
            p = model(xb).view(-1)
            sse += F.mse_loss(p, yb, reduction="sum").item()
            preds.append(p)
    preds = torch.cat(preds).numpy() * y_sd + y_mu
    return sse / len(val_loader.dataset), preds


for epoch in range(1, 31):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        out = model(xb).squeeze(-1)
        loss = F.mse_loss(out, yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
    val_mse, preds = evaluate()
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  train_mse {running / len(train_loader.dataset):.4f}  val_mse {val_mse:.4f}")

val_mse, preds = evaluate()
rmse = float(np.sqrt(np.mean((preds - y_va) ** 2)))
print(f"final val_rmse {rmse:.3f}  val_r2 {r2_score(y_va, preds):.3f}")
