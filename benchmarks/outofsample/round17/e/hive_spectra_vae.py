"""Acoustic monitoring of beehives: a VAE trained on healthy-colony spectra scores new
recordings by their negative ELBO (high = unusual, e.g. a queenless colony's piping).

Input: 64-bin log-power spectra, standardised per bin with training statistics.
Loss: Gaussian reconstruction summed over bins + KL summed over latents, averaged over
the batch; the KL weight is annealed from 0 to 1 over the first third of training
(so the reported total loss can rise while beta grows).
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score

torch.manual_seed(21)
rng = np.random.default_rng(21)
BINS = 64
f = np.arange(BINS, dtype=np.float32)


def spectra(n, queenless=False):
    base = rng.uniform(-1.0, -0.2, (n, 1)) - 0.015 * f           # pink-ish floor
    hum = rng.uniform(14, 20, (n, 1))                             # colony hum
    width = rng.uniform(2.0, 3.5, (n, 1))
    amp = rng.uniform(1.5, 2.5, (n, 1))
    s = base + amp * np.exp(-0.5 * ((f - hum) / width) ** 2)
    s += 0.5 * amp * np.exp(-0.5 * ((f - 2 * hum) / (1.5 * width)) ** 2)   # harmonic
    if queenless:
        pip = rng.uniform(44, 54, (n, 1))
        s += rng.uniform(0.35, 0.8, (n, 1)) * np.exp(-0.5 * ((f - pip) / 1.5) ** 2)
    s += rng.normal(0, 0.15, (n, BINS))
    return s.astype(np.float32)


train = spectra(3000)
val_normal, val_anom = spectra(450), spectra(50, queenless=True)
mu, sd = train.mean(0), train.std(0)
norm = lambda a: torch.from_numpy((a - mu) / sd)
Xtr = norm(train)
Xval = norm(np.concatenate([val_normal, val_anom]))
yval = np.r_[np.zeros(len(val_normal)), np.ones(len(val_anom))]


class VAE(nn.Module):
    def __init__(self, d_in=BINS, h=128, z=6):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d_in, h), nn.ELU(), nn.Linear(h, h), nn.ELU())
        self.mu = nn.Linear(h, z)
        self.logvar = nn.Linear(h, z)
        self.dec = nn.Sequential(nn.Linear(z, h), nn.ELU(), nn.Linear(h, h), nn.ELU(), nn.Linear(h, d_in))

    def forward(self, x):
        h = self.enc(x)
        mu, logvar = self.mu(h), self.logvar(h)
        zs = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.dec(zs), mu, logvar


def elbo_terms(model, x):
    recon, mu, logvar = model(x)
    rec = 0.5 * F.mse_loss(recon, x, reduction="none").sum(1) / 0.1   # fixed obs. variance 0.1
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)
    return rec, kl


model = VAE()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
epochs, bs = 40, 100
steps_per_epoch = len(Xtr) // bs
anneal_steps = epochs * steps_per_epoch // 3
step = 0
for epoch in range(1, epochs + 1):
    model.train()
    perm = torch.randperm(len(Xtr))
    tot_rec = tot_kl = 0.0
    for i in range(steps_per_epoch):
        xb = Xtr[perm[i * bs:(i + 1) * bs]]
        beta = min(1.0, step / anneal_steps)
        rec, kl = elbo_terms(model, xb)
        loss = (rec + beta * kl).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        tot_rec += rec.mean().item()
        tot_kl += kl.mean().item()
    if epoch % 5 == 0:
        model.eval()
        with torch.no_grad():
            rec, kl = elbo_terms(model, Xval)
            score = (rec + kl).numpy()
        auc = roc_auc_score(yval, score)
        print(f"epoch {epoch:2d} beta {beta:.2f} rec {tot_rec / steps_per_epoch:8.2f} "
              f"kl {tot_kl / steps_per_epoch:6.2f} val_neg_elbo(normal) {score[yval == 0].mean():8.2f} auc {auc:.4f}")

print(f"final anomaly auc {auc:.4f}")
