"""Variational autoencoder for NIR-like absorbance spectra of three-component blends.

Spectra: 160 wavelengths, component bands that broaden and shift with sample temperature, a sloped
baseline and detector noise. Gaussian decoder (fixed unit variance on standardised channels), latent 6.
The KL term is annealed linearly from 0 to 1 over the first 40% of steps (Bowman et al. 2016) so the
encoder learns to use the latent before the prior pulls on it; the total loss therefore rises for a while.
"""
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
rng = np.random.default_rng(21)
WL = np.linspace(1100, 2400, 160)
BANDS = [[(1210, 30, 0.8), (1730, 25, 1.0), (2310, 40, 0.7)],
         [(1450, 60, 1.2), (1940, 50, 1.5)],
         [(1690, 20, 0.6), (2140, 35, 0.9), (2270, 25, 0.5)]]


def spectra(n):
    conc = rng.dirichlet([2.0, 2.0, 2.0], size=n)
    temp = rng.uniform(-1, 1, size=n)
    out = np.zeros((n, len(WL)))
    for k, bands in enumerate(BANDS):
        for centre, width, height in bands:
            c = centre + 6 * temp[:, None]
            w = width * (1 + 0.15 * temp[:, None])
            out += conc[:, k:k + 1] * height * np.exp(-0.5 * ((WL - c) / w) ** 2)
    out += rng.normal(0.05, 0.03, size=(n, 1)) + rng.normal(0, 0.02, size=(n, 1)) * (WL - 1750) / 650
    out += rng.normal(0, 0.004, size=out.shape)
    return out.astype(np.float32), conc.astype(np.float32), temp.astype(np.float32)


X_train, c_train, t_train = spectra(3000)
X_val, c_val, t_val = spectra(600)
mu, sd = X_train.mean(0), X_train.std(0)
train_loader = DataLoader(TensorDataset(torch.from_numpy((X_train - mu) / sd)), batch_size=100, shuffle=True)
val_x = torch.from_numpy((X_val - mu) / sd)


class VAE(nn.Module):
    def __init__(self, d_in=160, d_hidden=128, d_latent=6):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d_in, d_hidden), nn.ELU(), nn.Linear(d_hidden, d_hidden), nn.ELU())
        self.mu = nn.Linear(d_hidden, d_latent)
        self.logvar = nn.Linear(d_hidden, d_latent)
        self.dec = nn.Sequential(nn.Linear(d_latent, d_hidden), nn.ELU(), nn.Linear(d_hidden, d_hidden), nn.ELU(),
                                 nn.Linear(d_hidden, d_in))

    def encode(self, x):
        h = self.enc(x)
        return self.mu(h), self.logvar(h)

    def reparameterize(self, mu, logvar):
        return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)

    def forward(self, x):
        mu, logvar = self.encode(x)
        return self.dec(self.reparameterize(mu, logvar)), mu, logvar


def loss_terms(recon, x, mu, logvar):
    rec = 0.5 * F.mse_loss(recon, x, reduction="sum") / x.size(0)
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / x.size(0)
    return rec, kld


model = VAE()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
EPOCHS = 30
total_steps = EPOCHS * len(train_loader)
anneal_steps = int(0.4 * total_steps)
step = 0
for epoch in range(1, EPOCHS + 1):
    model.train()
    running = 0.0
    for (x,) in train_loader:
        beta = min(1.0, step / anneal_steps)
        recon, mu_z, logvar_z = model(x)
        rec, kld = loss_terms(recon, x, mu_z, logvar_z)
        loss = rec + beta * kld
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item()
        step += 1
    if epoch % 5 == 0:
        model.eval()
        with torch.no_grad():
            m, lv = model.encode(val_x)
            rec, kld = loss_terms(model.dec(m), val_x, m, lv)
        print(f"epoch {epoch:2d} beta {beta:.2f} train loss {running / len(train_loader):8.3f} "
              f"val rec {rec.item():7.3f} val kl {kld.item():6.3f}")

model.eval()
with torch.no_grad():
    m, lv = model.encode(val_x)
    recon = model.dec(m).numpy() * sd + mu
    elbo_rec, elbo_kl = loss_terms(model(val_x)[0], val_x, m, lv)
rmse = np.sqrt(np.mean((recon - X_val) ** 2))
rmse_mean = np.sqrt(np.mean((mu - X_val) ** 2))
kl_per_dim = (-0.5 * (1 + lv - m.pow(2) - lv.exp())).mean(0)
active = int((kl_per_dim > 0.05).sum())
feats = np.column_stack([m.numpy(), np.ones(len(m))])
coef, *_ = np.linalg.lstsq(feats, np.column_stack([c_val, t_val]), rcond=None)
r2 = 1 - ((feats @ coef - np.column_stack([c_val, t_val])) ** 2).sum(0) / np.column_stack([c_val, t_val]).var(0) / len(m)
print(f"active latent dims {active}/6; linear R2 from latent mean: conc {r2[:3].round(3)}, temperature {r2[3]:.3f}")
print(f"FINAL val recon RMSE={rmse:.4f} absorbance units (mean-spectrum baseline {rmse_mean:.4f}); "
      f"val negative ELBO {elbo_rec.item() + elbo_kl.item():.2f}")
