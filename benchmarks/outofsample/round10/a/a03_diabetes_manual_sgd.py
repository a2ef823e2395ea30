"""Disease-progression regression (scikit-learn's diabetes data) with a small MLP and a
hand-written SGD update, no torch.optim."""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.manual_seed(3)
np.random.seed(3)
torch.set_num_threads(1)

X, y = load_diabetes(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=3)
x_mu, x_sd = Xtr.mean(0), Xtr.std(0)
y_mu, y_sd = ytr.mean(), ytr.std()
Xtr = torch.tensor((Xtr - x_mu) / x_sd, dtype=torch.float32)
Xva = torch.tensor((Xva - x_mu) / x_sd, dtype=torch.float32)
ytr = torch.tensor((ytr - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)
yva = torch.tensor((yva - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)

model = nn.Sequential(nn.Linear(10, 64), nn.Tanh(), nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 1))
loss_fn = nn.MSELoss()

lr = 1e-4
batch_size = 32
epochs = 100

for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    running = 0.0
    for i in range(0, len(Xtr), batch_size):
        idx = perm[i:i + batch_size]
        pred = model(Xtr[idx])
        loss = loss_fn(pred, ytr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(idx)
    if epoch % 25 == 0 or epoch == epochs - 1:
        model.eval()
        with torch.no_grad():
            val_mse = loss_fn(model(Xva), yva).item()
        print(f"epoch {epoch:3d} train_mse {running / len(Xtr):.4f} val_mse {val_mse:.4f}")

model.eval()
with torch.no_grad():
    pred = model(Xva) * y_sd + y_mu
    true = yva * y_sd + y_mu
    r2 = 1 - ((pred - true) ** 2).sum() / ((true - true.mean()) ** 2).sum()
print(f"final val_mse={val_mse:.4f} val_r2={r2.item():.4f}")
