"""Violin varnish: flag retouched or modern varnish from UV-fluorescence spectra.

A VAE is fitted on spectra of varnish samples from instruments with a documented
history (oil-resin varnishes with varying ageing, pigment and ground) and scores new
samples by their negative ELBO; samples with a modern alkyd/synthetic component should
score high. KL warm-up (beta 0 -> 1 over the first third), an EMA copy of the model
(copy.deepcopy) that is the one evaluated. Metric: ROC AUC on held-out genuine vs
retouched samples.
"""
import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import roc_auc_score

torch.manual_seed(17)
rng = np.random.default_rng(17)
wl = np.linspace(380, 720, 64)                     # nm


def band(center, width):
    return np.exp(-0.5 * ((wl - center) / width) ** 2)


def spectra(n, modern=False):
    age = rng.uniform(0, 1, n)[:, None]
    resin = (0.6 + 0.4 * age) * band(rng.normal(470, 8, (n, 1)), 40)
    oil = rng.uniform(0.2, 0.6, (n, 1)) * band(520 + 25 * age, 55)
    pigment = rng.uniform(0, 0.5, (n, 1)) * band(rng.normal(610, 6, (n, 1)), 25)
    ground = rng.uniform(0.05, 0.2, (n, 1)) * (wl - 380) / 340
    s = resin + oil + pigment + ground
    if modern:
        s = s * rng.uniform(0.85, 1.0, (n, 1)) + rng.uniform(0.06, 0.2, (n, 1)) * band(rng.normal(440, 10, (n, 1)), 20)
    s = s * rng.lognormal(0, 0.1, (n, 1))          # lamp / distance
    return (s + rng.normal(0, 0.015, s.shape)).astype(np.float32)


X_train = spectra(2400)
X_val_ok, X_val_mod = spectra(400), spectra(100, modern=True)
mu, sd = X_train.mean(0), X_train.std(0)
norm = lambda a: torch.tensor((a - mu) / sd)
train_loader = DataLoader(TensorDataset(norm(X_train)), batch_size=64, shuffle=True)


class VAE(nn.Module):
    def __init__(self, d=64, h=96, z=6):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, h), nn.ELU(), nn.Linear(h, h), nn.ELU())
        self.mu = nn.Linear(h, z)
        self.logvar = nn.Linear(h, z)
        self.dec = nn.Sequential(nn.Linear(z, h), nn.ELU(), nn.Linear(h, h), nn.ELU(), nn.Linear(h, d))

    def forward(self, x):
        e = self.enc(x)
        mu, logvar = self.mu(e), self.logvar(e).clamp(-8, 8)
        zs = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.dec(zs), mu, logvar


def neg_elbo(x, recon, mu, logvar, beta=1.0, reduce=True):
    rec = 0.5 * ((recon - x) ** 2).sum(1) / 0.05        # fixed obs. variance 0.05 in standardised units
    kl = -0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(1)
    per = rec + beta * kl
    return per.mean() if reduce else per


model = VAE()
ema = copy.deepcopy(model).requires_grad_(False)
decay = 0.995
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
epochs = 30
steps_per_epoch = len(train_loader)
warm = epochs * steps_per_epoch // 3
step = 0
for epoch in range(1, epochs + 1):
    model.train()
    tot = 0.0
    for (xb,) in train_loader:
        beta = min(1.0, step / warm)
        recon, mu_, lv = model(xb)
        loss = neg_elbo(xb, recon, mu_, lv, beta)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(decay).add_(pm, alpha=1 - decay)
        tot += loss.item()
    if epoch % 5 == 0:
        ema.eval()
        with torch.no_grad():
            xv = norm(X_val_ok)
            v = neg_elbo(xv, *ema(xv)).item()
        print(f"epoch {epoch:2d}  beta {beta:.2f}  train loss {tot / steps_per_epoch:.2f}  val -ELBO (EMA) {v:.2f}")

ema.eval()
with torch.no_grad():
    def score(a, k=10):
        xa = norm(a)
        return torch.stack([neg_elbo(xa, *ema(xa), reduce=False) for _ in range(k)]).mean(0).numpy()
    s_ok, s_mod = score(X_val_ok), score(X_val_mod)
auc = roc_auc_score(np.r_[np.zeros(len(s_ok)), np.ones(len(s_mod))], np.r_[s_ok, s_mod])
print(f"median -ELBO genuine {np.median(s_ok):.1f}, retouched {np.median(s_mod):.1f}")
print(f"final: ROC AUC genuine vs retouched {auc:.3f}")
