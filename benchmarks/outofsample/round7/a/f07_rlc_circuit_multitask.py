"""Surrogate for an RLC circuit: from resistance R, angular frequency w,
inductance L and capacitance C (scikit-learn's Friedman #2/#3 generators share
these inputs) predict both the impedance magnitude and the phase angle.

Two-headed MLP on log-scaled, standardised inputs; the impedance target is
log-transformed and both targets are standardised. Adam with weight decay and a
cosine LR over the whole run. Reports R^2 per target on a held-out set.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman2, make_friedman3
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

torch.manual_seed(2024)

N = 6000
X, z = make_friedman2(n_samples=N, noise=20.0, random_state=7)
X3, phase = make_friedman3(n_samples=N, noise=0.05, random_state=7)
assert np.allclose(X, X3)
X = np.log(X)                                  # R, w, L, C span orders of magnitude
Y = np.stack([np.log(np.clip(z, 1.0, None)), phase], axis=1)

X_tr, X_te, Y_tr, Y_te = train_test_split(X, Y, test_size=0.2, random_state=7)
x_mu, x_sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = Y_tr.mean(0), Y_tr.std(0)
Xt = torch.tensor((X_tr - x_mu) / x_sd, dtype=torch.float32)
Yt = torch.tensor((Y_tr - y_mu) / y_sd, dtype=torch.float32)
Xe = torch.tensor((X_te - x_mu) / x_sd, dtype=torch.float32)


class TwoHead(nn.Module):
    def __init__(self, d_in=4, width=128):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(d_in, width), nn.GELU(), nn.Linear(width, width), nn.GELU())
        self.impedance = nn.Sequential(nn.Linear(width, 64), nn.GELU(), nn.Linear(64, 1))
        self.phase = nn.Sequential(nn.Linear(width, 64), nn.GELU(), nn.Linear(64, 1))

    def forward(self, x):
        h = self.trunk(x)
        return torch.cat([self.impedance(h), self.phase(h)], dim=1)


model = TwoHead()
epochs, batch_size = 20, 64
steps_per_epoch = (len(Xt) + batch_size - 1) // batch_size
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * steps_per_epoch)
loss_fn = nn.SmoothL1Loss(beta=0.5)
task_weights = torch.tensor([1.0, 1.0])

optimizer.zero_grad()
for epoch in range(1, epochs + 1):
    model.train()
    perm = torch.randperm(len(Xt))
    running = torch.zeros(2)
    for i in range(0, len(perm), batch_size):
        idx = perm[i:i + batch_size]
        pred = model(Xt[idx])
        per_task = torch.stack([loss_fn(pred[:, k], Yt[idx, k]) for k in range(2)])
        loss = (task_weights * per_task).sum()
        loss.backward()
        optimizer.step()
        scheduler.step()
        running += per_task.detach() * len(idx)
    if epoch % 5 == 0:
        model.eval()
        with torch.no_grad():
            P = model(Xe).numpy() * y_sd + y_mu
        r2 = [r2_score(Y_te[:, k], P[:, k]) for k in range(2)]
        tr = (running / len(Xt)).tolist()
        print(f"epoch {epoch:3d}  train impedance {tr[0]:.4f} phase {tr[1]:.4f}  "
              f"test R2 impedance {r2[0]:.4f} phase {r2[1]:.4f}")

model.eval()
with torch.no_grad():
    P = model(Xe).numpy() * y_sd + y_mu
r2 = [r2_score(Y_te[:, k], P[:, k]) for k in range(2)]
print(f"final test_r2_impedance={r2[0]:.4f} test_r2_phase={r2[1]:.4f} mean_r2={np.mean(r2):.4f}")
