"""Offset printing press: learn normal ink-density profiles across the 32 ink-key zones with a
denoising autoencoder, then flag sheets with streaks / hickeys by reconstruction error.
An EMA copy of the model (copy.deepcopy) is kept during training; the EMA model is saved
whole with torch.save and reloaded for scoring.
"""
import copy
import os
import tempfile
import numpy as np
import torch
from torch import nn
from sklearn.metrics import roc_auc_score

torch.manual_seed(17)
rng = np.random.default_rng(17)
Z = 32
zones = np.linspace(0, 1, Z)


def sheets(n, defect=False):
    coverage = rng.uniform(0.2, 0.9, (n, 1)) + 0.15 * np.sin(2 * np.pi * (zones * rng.uniform(1, 3, (n, 1)) + rng.uniform(0, 1, (n, 1))))
    density = 1.2 + 0.6 * coverage - 0.25 * coverage ** 2 + rng.normal(0, 0.02, (n, Z))
    if defect:
        for i in range(n):
            z = rng.integers(0, Z - 3); w = rng.integers(1, 4)
            density[i, z:z + w] += rng.choice([-1, 1]) * rng.uniform(0.08, 0.2)
    return density.astype(np.float32)


X_train = sheets(3000)
X_val_ok, X_val_bad = sheets(400), sheets(100, defect=True)
mu, sd = X_train.mean(0), X_train.std(0)
norm = lambda a: torch.from_numpy((a - mu) / sd)
Xt = norm(X_train)

model = nn.Sequential(nn.Linear(Z, 64), nn.ELU(), nn.Linear(64, 8), nn.ELU(), nn.Linear(8, 64), nn.ELU(), nn.Linear(64, Z))
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.93)
decay, bs = 0.99, 64

for epoch in range(30):
    model.train()
    perm = torch.randperm(len(Xt))
    total = 0.0
    for i in range(0, len(Xt), bs):
        x = Xt[perm[i:i + bs]]
        noisy = x + 0.1 * torch.randn_like(x)
        loss = nn.functional.mse_loss(model(noisy), x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(decay).add_(pm, alpha=1 - decay)
        total += loss.item() * len(x)
    scheduler.step()
    if epoch % 10 == 9:
        print(f"epoch {epoch + 1} train recon MSE {total / len(Xt):.4f}")

path = os.path.join(tempfile.mkdtemp(), "press_ae_ema.pt")
torch.save(ema, path)
scorer = torch.load(path, weights_only=False)
scorer.eval()
with torch.no_grad():
    ok, bad = norm(X_val_ok), norm(X_val_bad)
    err_ok = ((scorer(ok) - ok) ** 2).mean(1)
    err_bad = ((scorer(bad) - bad) ** 2).mean(1)
auc = roc_auc_score(np.r_[np.zeros(len(err_ok)), np.ones(len(err_bad))], np.r_[err_ok.numpy(), err_bad.numpy()])
print(f"val recon MSE (good sheets) {err_ok.mean():.4f}, defective {err_bad.mean():.4f}")
print(f"final defect AUC {auc:.3f}")
