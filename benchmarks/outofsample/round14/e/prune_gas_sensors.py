"""Electronic-nose gas identification (16 metal-oxide sensors x 8 transient
features) for a microcontroller: train dense, then iteratively prune 90% of the
weights by global L1 magnitude (torch.nn.utils.prune) with fine-tuning between
rounds, make the masks permanent and ship the whole module with torch.save.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn.utils.prune as prune
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.linear_model import LogisticRegression

torch.manual_seed(2024)
rng = np.random.default_rng(2024)

GASES = ["ethanol", "ethylene", "ammonia", "acetaldehyde", "acetone", "toluene"]
N_SENS, N_FEAT = 16, 8
sensitivity = rng.lognormal(0, 0.5, (1, N_SENS)) * rng.lognormal(0, 0.04, (len(GASES), N_SENS))
shape = rng.normal(0, 1, (1, N_FEAT)) + 0.12 * rng.normal(0, 1, (len(GASES), N_FEAT))


def readings(n):
    g = rng.integers(0, len(GASES), n)
    conc = rng.uniform(10, 500, n)                         # ppm
    resp = sensitivity[g] * np.log(conc)[:, None]             # saturating response
    feat = resp[:, :, None] * (1 + 0.25 * np.tanh(shape[g][:, None, :] * np.log(conc)[:, None, None] / 4))
    feat = feat * rng.lognormal(0, 0.25, (n, 1, 1)) * rng.lognormal(0, 0.1, (n, N_SENS, 1))      # per-sensor gain drift
    feat += rng.normal(0, 0.6, feat.shape)
    return np.log1p(np.abs(feat)).reshape(n, -1).astype(np.float32), g


X_tr, y_tr = readings(6000)
X_va, y_va = readings(1500)
mu, sd = X_tr.mean(0), X_tr.std(0)
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)), batch_size=64,
                    shuffle=True)
Xv, yv = torch.from_numpy(X_va), torch.from_numpy(y_va)

model = nn.Sequential(nn.Linear(N_SENS * N_FEAT, 256), nn.ReLU(), nn.Dropout(0.1),
                      nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, len(GASES)))
criterion = nn.CrossEntropyLoss()


def train(epochs, lr):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            criterion(model(xb), yb).backward()
            opt.step()


def accuracy(net):
    net.eval()
    with torch.no_grad():
        return (net(Xv).argmax(1) == yv).float().mean().item()


def sparsity():
    ws = [m.weight for m in model if isinstance(m, nn.Linear)]
    return sum((w == 0).sum().item() for w in ws) / sum(w.numel() for w in ws)


train(8, 1e-3)
print(f"dense: val acc {accuracy(model):.4f}")

targets = [m for m in model if isinstance(m, nn.Linear)]
params = [(m, "weight") for m in targets]
for final_sparsity in (0.5, 0.75, 0.9):
    # amount is a share of the weights still unpruned, so convert
    remaining = 1 - sparsity()
    amount = 1 - (1 - final_sparsity) / remaining
    prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=amount)
    train(3, 5e-4)
    print(f"pruned to {sparsity():.2f} sparsity: val acc {accuracy(model):.4f}")

for m in targets:
    prune.remove(m, "weight")

path = os.path.join(tempfile.mkdtemp(prefix="enose_"), "enose_pruned.pt")
torch.save(model, path)
shipped = torch.load(path, weights_only=False)
nonzero = sum((m.weight != 0).sum().item() for m in shipped if isinstance(m, nn.Linear))

base = LogisticRegression(max_iter=3000).fit(X_tr, y_tr)
print(f"baseline logistic: val acc {base.score(X_va, y_va):.4f}")
print(f"final: shipped model ({nonzero} nonzero weights, sparsity {sparsity():.2f}) val acc {accuracy(shipped):.4f}")
