"""Hourly building energy-load regressor: small MLP trained with a hand-rolled SGD loop."""
import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(21)
rng = np.random.default_rng(21)

# weather + calendar + occupancy features for one office block
N = 4000
hour = rng.integers(0, 24, N)
dow = rng.integers(0, 7, N)
temp = rng.normal(14, 8, N)
humid = rng.uniform(20, 95, N)
solar = np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None) * rng.uniform(200, 900, N)
occupancy = np.where((dow < 5) & (hour >= 8) & (hour <= 18), rng.uniform(0.6, 1.0, N), rng.uniform(0, 0.15, N))
load = (120 + 2.6 * np.abs(temp - 18) ** 1.3 + 180 * occupancy + 0.04 * solar
        + 0.3 * humid * (temp > 22) + rng.normal(0, 12, N))

feats = np.column_stack([np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                         (dow >= 5).astype(float), temp, humid, solar, occupancy])
X_tr, X_te = feats[:3200], feats[3200:]
y_tr, y_te = load[:3200], load[3200:]
mu, sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()
X_tr = torch.tensor((X_tr - mu) / sd, dtype=torch.float32)
X_te = torch.tensor((X_te - mu) / sd, dtype=torch.float32)
y_tr = torch.tensor((y_tr - y_mu) / y_sd, dtype=torch.float32)
y_te = torch.tensor((y_te - y_mu) / y_sd, dtype=torch.float32)


def init_layer(n_in, n_out):
    w = torch.randn(n_in, n_out) * (2.0 / n_in) ** 0.5
    return w.requires_grad_(), torch.zeros(n_out, requires_grad=True)


W1, b1 = init_layer(7, 64)
W2, b2 = init_layer(64, 64)
W3, b3 = init_layer(64, 1)
params = [W1, b1, W2, b2, W3, b3]


def predict(x):
    h = F.relu(x @ W1 + b1)
    h = F.relu(h @ W2 + b2)
    return (h @ W3 + b3).squeeze(1)


lr = 1.0
batch_size = 32
for epoch in range(30):
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr), batch_size):
        idx = perm[i:i + batch_size]
        loss = F.l1_loss(predict(X_tr[idx]), y_tr[idx])
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()
    with torch.no_grad():
        tr = F.l1_loss(predict(X_tr), y_tr).item()
        te = F.l1_loss(predict(X_te), y_te).item()
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1}: train_mae={tr:.4f} test_mae={te:.4f}")

with torch.no_grad():
    mae_kw = (F.l1_loss(predict(X_te), y_te) * y_sd).item()
print(f"final test_mae={te:.4f} test_mae_kW={mae_kw:.2f}")
