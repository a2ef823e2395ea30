"""Battery state-of-health regression from cycling statistics.

Two exports from the test bench: `train` cells and held-out `val` cells.
A tanh MLP trained with a hand-written SGD update (no torch.optim).
"""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_friedman1

torch.manual_seed(3)
rng = np.random.default_rng(3)


def load_cells(n, seed):
    X, y = make_friedman1(n_samples=n, n_features=12, noise=0.6, random_state=seed)
    X = X * np.array([4.2, 3.0, 1.0, 2.5, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]) + 0.5
    return X.astype(np.float32), (70.0 + 1.5 * y).astype(np.float32)


X_train, y_train = load_cells(500, seed=21)
X_val, y_val = load_cells(1000, seed=22)

# shuffle the export once (it is sorted by cell id); the loop walks it in order
order = rng.permutation(len(X_train))
X_train, y_train = X_train[order], y_train[order]

x_mu, x_sd = X_train.mean(0), X_train.std(0)
y_mu, y_sd = y_train.mean(), y_train.std()
Xt = torch.from_numpy((X_train - x_mu) / x_sd)
yt = torch.from_numpy((y_train - y_mu) / y_sd)
Xv = torch.from_numpy((X_val - x_mu) / x_sd)
yv = torch.from_numpy(y_val)

model = torch.nn.Sequential(
    torch.nn.Linear(12, 64), torch.nn.Tanh(),
    torch.nn.Linear(64, 64), torch.nn.Tanh(),
    torch.nn.Linear(64, 1),
)

lr, batch, epochs = 0.1, 32, 120
for epoch in range(epochs):
    model.train()
    running = 0.0
    for i in range(0, len(Xt), batch):
        xb, yb = Xt[i:i + batch], yt[i:i + batch]
        loss = F.mse_loss(model(xb).squeeze(1), yb)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(xb)
    if (epoch + 1) % 20 == 0:
        model.eval()
        with torch.no_grad():
            pred = model(Xv).squeeze(1) * y_sd + y_mu
            rmse = torch.sqrt(F.mse_loss(pred, yv)).item()
            r2 = 1 - ((pred - yv) ** 2).sum().item() / ((yv - yv.mean()) ** 2).sum().item()
        print(f"epoch {epoch + 1:3d}  train_mse {running / len(Xt):.4f}  val_rmse {rmse:.3f}  val_r2 {r2:.4f}")

print(f"final val_r2 {r2:.4f} val_rmse {rmse:.3f}")
