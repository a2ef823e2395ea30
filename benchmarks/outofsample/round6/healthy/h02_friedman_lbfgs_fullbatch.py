"""Surrogate model for the Friedman #1 response surface: a small tanh MLP fitted full-batch with
L-BFGS (strong Wolfe line search) and a small L2 penalty inside the closure. No DataLoader: the
whole training set is one tensor. Inputs and targets are standardised with training statistics;
R^2 is reported in the original units."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
np.random.seed(0)

X, y = make_friedman1(n_samples=1500, n_features=10, noise=0.5, random_state=0)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=0)
x_mu, x_sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()


def to_t(a):
    return torch.tensor(a, dtype=torch.float32)


Xtr, Xva = to_t((X_tr - x_mu) / x_sd), to_t((X_va - x_mu) / x_sd)
ytr, yva = to_t((y_tr - y_mu) / y_sd).unsqueeze(1), to_t((y_va - y_mu) / y_sd).unsqueeze(1)

model = nn.Sequential(nn.Linear(10, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=20,
                              line_search_fn="strong_wolfe")
mse = nn.MSELoss()
l2 = 1e-3


def closure():
    optimizer.zero_grad()
    loss = mse(model(Xtr), ytr)
    reg = sum((p ** 2).sum() for n, p in model.named_parameters() if n.endswith("weight"))
    total = loss + l2 * reg
    total.backward()
    return total


def r2(pred_std, y_true):
    pred = pred_std.squeeze(1).numpy() * y_sd + y_mu
    return 1 - ((pred - y_true) ** 2).sum() / ((y_true - y_true.mean()) ** 2).sum()


for it in range(1, 21):
    model.train()
    optimizer.step(closure)
    if it % 4 == 0:
        model.eval()
        with torch.no_grad():
            tr_loss = mse(model(Xtr), ytr).item()
            va_pred = model(Xva)
            va_loss = mse(va_pred, yva).item()
        print(f"outer step {it:3d}  train mse {tr_loss:.4f}  val mse {va_loss:.4f}  val R2 {r2(va_pred, y_va):.4f}")

model.eval()
with torch.no_grad():
    r2_tr = r2(model(Xtr), y_tr)
    r2_va = r2(model(Xva), y_va)
print(f"final train_R2 {r2_tr:.4f} val_R2 {r2_va:.4f}")
