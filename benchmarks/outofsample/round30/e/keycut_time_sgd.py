"""Estimate cutting time (s) of a key on the shop's duplicating machines.

Orders carry categorical fields (blank maker, keyway profile, blank alloy, machine, pin count)
that enter as sparse one-hot columns, next to two measured quantities (total bitting depth
and blade length). Tiny two-layer net trained with a hand-written mini-batch SGD update and
a step decay; the data are read with NumPy and the batches indexed by hand.
"""
import numpy as np
import torch

rng = np.random.default_rng(2024)
torch.manual_seed(2024)

N = 4000
makers = rng.integers(0, 10, N)
keyways = rng.integers(0, 28, N)
alloy = rng.choice(3, N, p=[0.6, 0.3, 0.1])          # brass, nickel-silver, steel
machine = rng.integers(0, 5, N)
pins = rng.choice([5, 6, 7], N, p=[0.3, 0.5, 0.2])
depth = rng.gamma(6.0, 1.2, N)                       # sum of cut depths, mm
blade = rng.normal(30, 4, N)                         # mm

keyway_effect = rng.normal(0, 6, 28)
maker_effect = rng.normal(0, 3, 10)
alloy_speed = np.array([1.0, 1.35, 2.1])
machine_speed = np.array([1.0, 0.8, 1.25, 0.9, 1.1])
worn = np.array([0, 0, 1, 0, 1])                     # worn cutters struggle with hard alloys
seconds = (20 + keyway_effect[keyways] + maker_effect[makers]
           + alloy_speed[alloy] * machine_speed[machine] * (6 * pins + 4.0 * depth)
           * (1 + 0.5 * worn[machine] * (alloy == 2))
           + 0.3 * blade + rng.normal(0, 3, N))


def one_hot(codes, k):
    out = np.zeros((len(codes), k), np.float32)
    out[np.arange(len(codes)), codes] = 1
    return out


cont = np.stack([depth, blade], 1)
train_idx, val_idx = np.arange(3200), np.arange(3200, N)
c_mu, c_sd = cont[train_idx].mean(0), cont[train_idx].std(0)
X = np.concatenate([one_hot(makers, 10), one_hot(keyways, 28), one_hot(alloy, 3),
                    one_hot(machine, 5), one_hot(pins - 5, 3), (cont - c_mu) / c_sd], 1)
y_mu, y_sd = seconds[train_idx].mean(), seconds[train_idx].std()
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor((seconds - y_mu) / y_sd, dtype=torch.float32)

D, H = X.shape[1], 64
W1 = (torch.randn(D, H) * np.sqrt(2.0 / D)).requires_grad_()
b1 = torch.zeros(H, requires_grad=True)
W2 = (torch.randn(H, 1) * np.sqrt(1.0 / H)).requires_grad_()
b2 = torch.zeros(1, requires_grad=True)
params = [W1, b1, W2, b2]


def model(x):
    return (torch.relu(x @ W1 + b1) @ W2 + b2).squeeze(-1)


lr, batch, epochs = 0.05, 32, 30
for epoch in range(epochs):
    if epoch in (18, 26):
        lr *= 0.3
    perm = torch.from_numpy(rng.permutation(train_idx))
    total = 0.0
    for i in range(0, len(perm), batch):
        idx = perm[i:i + batch]
        loss = ((model(X[idx]) - y[idx]) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        total += loss.item() * len(idx)
    with torch.no_grad():
        pred = model(X[val_idx])
        val_mse = ((pred - y[val_idx]) ** 2).mean().item()
    if epoch % 5 == 4 or epoch == 0:
        print(f"epoch {epoch + 1:2d} lr {lr:.4f} train mse {total / len(train_idx):.4f} val mse {val_mse:.4f}")

pred_s = pred.numpy() * y_sd + y_mu
true_s = seconds[val_idx]
mae = np.abs(pred_s - true_s).mean()
r2 = 1 - ((pred_s - true_s) ** 2).sum() / ((true_s - true_s.mean()) ** 2).sum()
print(f"final: val R2 {r2:.3f}, MAE {mae:.2f} s (noise sd 3 s)")
