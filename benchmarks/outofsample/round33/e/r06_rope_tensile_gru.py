"""Rope tensile tests: how did the sample fail?

A test bench pulls rope samples to failure and logs (load, extension, load rate) at 160
time steps. The lab wants the failure mode from the curve: 0 core rupture,
1 splice slip (saw-tooth drops in load), 2 creep then rupture (extension runs
away at constant load), 3 strand-by-strand break (stepwise drops near the end).
A GRU reads the whole log; gradient-norm clipping at 1.0 is kept on as routine
insurance for recurrent training.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)
rng = np.random.default_rng(17)
T = 160


def pull_test(mode):
    stiff = rng.uniform(0.8, 1.3)
    rupture_t = rng.integers(115, 152)
    ext = np.linspace(0, 1, T) * rng.uniform(0.9, 1.1)
    load = stiff * ext * (1 - 0.25 * ext)
    if mode == 1:
        for s in rng.integers(25, rupture_t - 8, rng.integers(3, 6)):
            load[s:] -= rng.uniform(0.05, 0.10)
            ext[s:] += rng.uniform(0.01, 0.03)
    elif mode == 2:
        start = rng.integers(65, 100)
        load[start:] = load[start]
        ext[start:] += np.cumsum(np.full(T - start, rng.uniform(0.003, 0.006)))
    elif mode == 3:
        for s in sorted(rng.integers(rupture_t - 28, rupture_t, 3)):
            load[s:] *= rng.uniform(0.80, 0.9)
    load[rupture_t:] *= 0.05
    load += rng.normal(0, 0.02, T)
    ext += rng.normal(0, 0.005, T)
    d_load = np.diff(load, prepend=load[0])               # bench software also logs the rate
    return np.stack([load, ext, d_load], 1)


N = 1200
modes = rng.integers(0, 4, N)
X = np.stack([pull_test(m) for m in modes]).astype(np.float32)
mu, sd = X[:960].reshape(-1, 3).mean(0), X[:960].reshape(-1, 3).std(0)
X = (X - mu) / sd
train = TensorDataset(torch.from_numpy(X[:960]), torch.from_numpy(modes[:960]))
val = TensorDataset(torch.from_numpy(X[960:]), torch.from_numpy(modes[960:]))
train_loader = DataLoader(train, batch_size=64, shuffle=True)
val_loader = DataLoader(val, batch_size=240)


class FailureGRU(nn.Module):
    def __init__(self, hidden=40):
        super().__init__()
        self.gru = nn.GRU(3, hidden, batch_first=True)
        self.out = nn.Linear(2 * hidden, 4)

    def forward(self, x):
        seq, h = self.gru(x)
        return self.out(torch.cat([h[-1], seq.amax(1)], 1))


model = FailureGRU()
optimizer = torch.optim.Adam(model.parameters(), lr=4e-3)
EPOCHS = 16
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.3, patience=2)

for epoch in range(1, EPOCHS + 1):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
    model.eval()
    with torch.no_grad():
        xb, yb = next(iter(val_loader))
        logits = model(xb)
        val_loss = F.cross_entropy(logits, yb).item()
        val_acc = (logits.argmax(1) == yb).float().mean().item()
    scheduler.step(val_loss)
    if epoch % 2 == 0:
        print(f"epoch {epoch:2d} train loss {loss.item():.3f} val loss {val_loss:.3f} val acc {val_acc:.3f}")

print(f"final val accuracy {val_acc:.3f}")
