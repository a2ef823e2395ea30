"""Letterpress type foundry: predict whether a cast sort will be rejected at the
dressing bench (hollow body, fin, bad face) from the caster's settings.

Each of the 150 matrices and 10 moulds wears in its own way, so their ids go in as
plain one-hot columns (left as 0/1, only the continuous readings are standardised).
A deliberately small network (8 hidden units: the shop wants something it can read),
micro-batches of 16 accumulated 4 at a time, SGD with Nesterov momentum, output
bias started at the log-odds of the reject rate, early stopping with the best
weights restored. Metric: ROC AUC and log loss on held-out castings.
"""
import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import roc_auc_score, log_loss

torch.manual_seed(29)
rng = np.random.default_rng(29)
N_MAT, N_MOULD, SIZES = 150, 10, [6, 8, 10, 12, 14, 18]

mat_wear = rng.normal(0, 0.9, N_MAT)
mould_eff = rng.normal(0, 0.6, N_MOULD)


def castings(n):
    mat = rng.integers(0, N_MAT, n)
    mould = rng.integers(0, N_MOULD, n)
    size = rng.integers(0, len(SIZES), n)
    temp = rng.normal(345, 8, n)                         # deg C, metal pot
    pump = rng.normal(140, 12, n)                        # strokes / min
    tin = rng.normal(6.0, 0.6, n)                        # %
    hours = rng.uniform(0, 120, n)                       # since last service
    z = (mat_wear[mat] + mould_eff[mould] + 0.6 * ((temp - 345) / 8) ** 2
         + 0.04 * (pump - 140) * (SIZES[-1] - np.array(SIZES)[size]) / 10
         - 0.5 * (tin - 6.0) + 0.012 * hours - 2.6)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float32)
    cont = np.column_stack([temp, pump, tin, hours, np.array(SIZES, dtype=float)[size]])
    onehot = np.hstack([np.eye(N_MAT)[mat], np.eye(N_MOULD)[mould], np.eye(len(SIZES))[size]])
    return cont.astype(np.float32), onehot.astype(np.float32), y


c, o, y = castings(8000)
tr, va = np.arange(6500), np.arange(6500, 8000)
mu, sd = c[tr].mean(0), c[tr].std(0)
X = np.hstack([(c - mu) / sd, o]).astype(np.float32)
print(f"features {X.shape[1]} ({o.shape[1]} one-hot), reject rate {y[tr].mean():.3f}")

train_loader = DataLoader(TensorDataset(torch.tensor(X[tr]), torch.tensor(y[tr])), batch_size=16, shuffle=True)
Xv, yv = torch.tensor(X[va]), torch.tensor(y[va])

model = nn.Sequential(nn.Linear(X.shape[1], 8), nn.ReLU(), nn.Linear(8, 1))
prior = float(y[tr].mean())
with torch.no_grad():
    model[-1].bias.fill_(np.log(prior / (1 - prior)))
optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, nesterov=True, weight_decay=1e-3)
criterion = nn.BCEWithLogitsLoss()
ACCUM = 4

best, best_state, bad, patience = float("inf"), None, 0, 5
for epoch in range(1, 61):
    model.train()
    optimizer.zero_grad()
    for i, (xb, yb) in enumerate(train_loader):
        loss = criterion(model(xb).squeeze(1), yb) / ACCUM
        loss.backward()
        if (i + 1) % ACCUM == 0:
            optimizer.step()
            optimizer.zero_grad()
    model.eval()
    with torch.no_grad():
        vloss = criterion(model(Xv).squeeze(1), yv).item()
    if epoch % 3 == 0:
        print(f"epoch {epoch:2d}  val log loss {vloss:.4f}")
    if vloss < best - 1e-4:
        best, best_state, bad = vloss, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch}")
            break

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    p = torch.sigmoid(model(Xv).squeeze(1)).numpy()
print(f"constant-rate log loss {log_loss(y[va], np.full(len(va), prior)):.4f}")
print(f"final: val ROC AUC {roc_auc_score(y[va], p):.3f}, log loss {log_loss(y[va], p):.4f}")
