"""Regress kiln output quality from ten process sensors.

A nonlinear response surface (sensor interactions plus a periodic term) with measurement
noise. Deep fully connected regressor trained with a hand-written mini-batch SGD update
and a linear learning-rate decay; validation reported as RMSE and R^2.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split

torch.manual_seed(5)
np.random.seed(5)
torch.set_num_threads(1)

X, y = make_friedman1(n_samples=4000, n_features=10, noise=1.0, random_state=5)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=5)
x_mu, x_sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()
to_t = lambda a: torch.tensor(a, dtype=torch.float32)
X_tr, X_va = to_t((X_tr - x_mu) / x_sd), to_t((X_va - x_mu) / x_sd)
y_tr, y_va = to_t((y_tr - y_mu) / y_sd), to_t((y_va - y_mu) / y_sd)

ACT = "sigmoid"
WIDTHS = [10, 128, 128, 128, 128, 128]


def build(widths, act):
    layers = []
    for a, b in zip(widths[:-1], widths[1:]):
        lin = nn.Linear(a, b)
        nn.init.xavier_uniform_(lin.weight, gain=nn.init.calculate_gain(act))
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.Sigmoid() if act == "sigmoid" else nn.ReLU()]
    layers.append(nn.Linear(widths[-1], 1))
    return nn.Sequential(*layers)


model = build(WIDTHS, ACT)
loss_fn = nn.MSELoss()
epochs, bs, lr0 = 30, 64, 0.05
n_steps, step = epochs * ((len(X_tr) + bs - 1) // bs), 0

for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr), bs):
        idx = perm[i:i + bs]
        loss = loss_fn(model(X_tr[idx]).squeeze(-1), y_tr[idx])
        model.zero_grad(set_to_none=True)
        loss.backward()
        lr = lr0 * (1 - step / n_steps)
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        step += 1
    if epoch % 5 == 4 or epoch == epochs - 1:
        model.eval()
        with torch.no_grad():
            mse = loss_fn(model(X_va).squeeze(-1), y_va).item()
        print(f"epoch {epoch + 1:2d} train_mse {loss.item():.4f} val_mse {mse:.4f}")

rmse = float(np.sqrt(mse)) * y_sd
r2 = 1 - mse / y_va.var(unbiased=False).item()
print(f"final val RMSE {rmse:.3f}  R^2 {r2:.4f}")
