"""Variational autoencoder for plucked harp-string spectra (harp maker's regulation bench).

Each sample: log-amplitudes of the first 32 partials of a plucked string, measured after
(re)stringing. They vary with pluck position, string damping (gut vs nylon vs wire-wound),
brightness of the soundboard and a small measurement noise: a 4-dimensional latent is
enough. KL term warmed up over the first epochs; an EMA copy of the model (deepcopy) is
kept and used for the final evaluation; cosine LR decay over the run.
"""
import copy
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(21)
rng = np.random.default_rng(21)
K = 32
n = np.arange(1, K + 1)


def spectra(m):
    pluck = rng.uniform(0.08, 0.5, m)[:, None]           # relative pluck position
    damp = rng.choice([0.03, 0.06, 0.11], m)[:, None] * rng.uniform(0.8, 1.2, (m, 1))
    bright = rng.normal(0, 0.6, (m, 1))
    body = 0.8 * np.exp(-((n - rng.uniform(5, 12, (m, 1))) ** 2) / 8.0)   # soundboard resonance
    amp = np.abs(np.sin(np.pi * n * pluck)) / n ** (1.2 - 0.15 * bright) * np.exp(-damp * n)
    logamp = np.log(amp + 1e-3) + body + rng.normal(0, 0.08, (m, K))
    return logamp.astype(np.float32)


Xtr, Xva = spectra(3000), spectra(600)
mu, sd = Xtr.mean(0), Xtr.std(0)
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
train_loader = torch.utils.data.DataLoader(torch.from_numpy(Xtr), batch_size=50, shuffle=True)
val_x = torch.from_numpy(Xva)


class VAE(nn.Module):
    def __init__(self, d_in=K, h=128, z=4):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d_in, h), nn.ELU(), nn.Linear(h, h), nn.ELU())
        self.mu = nn.Linear(h, z)
        self.logvar = nn.Linear(h, z)
        self.dec = nn.Sequential(nn.Linear(z, h), nn.ELU(), nn.Linear(h, h), nn.ELU(), nn.Linear(h, d_in))

    def forward(self, x):
        hid = self.enc(x)
        mu, logvar = self.mu(hid), self.logvar(hid)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if self.training else mu
        return self.dec(z), mu, logvar


def vae_loss(x, xhat, mu, logvar, beta):
    # Gaussian decoder with fixed variance 0.1: summed over features, averaged over the batch
    rec = F.mse_loss(xhat, x, reduction="sum") / (2 * 0.1) / x.size(0)
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / x.size(0)
    return rec + beta * kl, rec, kl


model = VAE()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
EPOCHS, WARM = 40, 8
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS, eta_min=5e-5)
decay = 0.995


@torch.no_grad()
def ema_update():
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)


for epoch in range(EPOCHS):
    beta = min(1.0, (epoch + 1) / WARM)
    model.train()
    tot = 0.0
    for xb in train_loader:
        xhat, m, lv = model(xb)
        loss, rec, kl = vae_loss(xb, xhat, m, lv, beta)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        ema_update()
        tot += loss.item() * len(xb)
    scheduler.step()
    if epoch % 8 == 7 or epoch == EPOCHS - 1:
        with torch.no_grad():
            xhat, m, lv = ema(val_x)
            vl, vrec, vkl = vae_loss(val_x, xhat, m, lv, 1.0)
        print(f"epoch {epoch + 1:2d} beta {beta:.2f} train_loss {tot / len(Xtr):.2f} "
              f"ema val -ELBO {vl.item():.2f} (rec {vrec.item():.2f}, kl {vkl.item():.2f})")

with torch.no_grad():
    xhat, _, _ = ema(val_x)
r2 = 1 - ((xhat - val_x) ** 2).sum() / ((val_x - val_x.mean(0)) ** 2).sum()
print(f"final EMA val reconstruction R2 {r2.item():.4f}")
