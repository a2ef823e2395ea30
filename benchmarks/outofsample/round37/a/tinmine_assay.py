"""Tin-mine face sampling: classify a drill-chip sample into one of four
cassiterite grade bands from handheld XRF readings (ppm) of twelve elements.
Log-ratio features against Si, small MLP, hand-written SGD with momentum."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(3)
rng = np.random.default_rng(3)

ELEMENTS = ["Sn", "W", "As", "Fe", "Cu", "Zn", "S", "Bi", "Mo", "Pb", "K", "Si"]
n = 3000
grade = rng.integers(0, 4, n)
lat = rng.normal(0, 1, (n, 3))
log_ppm = np.empty((n, len(ELEMENTS)))
log_ppm[:, 0] = 5.0 + 0.9 * grade + 0.5 * lat[:, 0] + rng.normal(0, 0.3, n)       # Sn
log_ppm[:, 1] = 3.0 + 0.4 * grade + 0.6 * lat[:, 0] + rng.normal(0, 0.5, n)        # W
log_ppm[:, 2] = 4.0 + 0.3 * grade + 0.8 * lat[:, 1] + rng.normal(0, 0.5, n)        # As (arsenopyrite)
log_ppm[:, 3] = 9.5 + 0.1 * grade + 0.5 * lat[:, 1] + rng.normal(0, 0.4, n)        # Fe
for j in range(4, 11):
    log_ppm[:, j] = rng.uniform(2, 6) + rng.normal(0, 0.3) * grade + 0.5 * lat[:, 2] + rng.normal(0, 0.6, n)
log_ppm[:, 11] = 12.5 + rng.normal(0, 0.2, n)                                       # Si
ppm = np.exp(log_ppm)

feats = np.log(ppm[:, :-1] / ppm[:, -1:])          # additive log-ratio against Si
idx = rng.permutation(n)
tr, va = idx[:2400], idx[2400:]
mu, sd = feats[tr].mean(0), feats[tr].std(0)
X = torch.tensor((feats - mu) / sd, dtype=torch.float32)
Y = torch.tensor(grade)

model = nn.Sequential(nn.Linear(11, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 4))
lr, mom, bs = 0.05, 0.9, 128
velocity = [torch.zeros_like(p) for p in model.parameters()]

for epoch in range(15):
    model.train()
    perm = tr[torch.randperm(len(tr)).numpy()]
    running = 0.0
    for i in range(0, len(perm), bs):
        b = perm[i:i + bs]
        logits = model(X[b])
        loss = F.cross_entropy(logits, Y[b], reduction="sum")
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(mom).add_(p.grad)
                p -= lr * v
        running += loss.item()
    model.eval()
    with torch.no_grad():
        acc = (model(X[va]).argmax(1) == Y[va]).float().mean().item()
    if epoch % 3 == 2:
        print(f"epoch {epoch + 1:2d}  train_loss {running / len(tr):.4f}  val_acc {acc:.3f}")

print(f"final val_acc {acc:.3f}")
