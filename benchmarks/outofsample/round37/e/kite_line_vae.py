"""Kite-line tension anomaly screening (traction-kite test bench).

2-second windows of line tension from the load cell (64 samples at 32 Hz) are encoded by a
VAE trained on normal flights only; windows the VAE reconstructs badly (a line snag, a
luff-and-snap, a sensor dropout) are flagged. Standard VAE practice: the reconstruction term
is summed over the window and averaged over the batch, the KL weight is annealed from 0 to 1
over the first epochs (so the total loss climbs while beta rises), and the validation ELBO is
accumulated with reduction='sum' over the whole set and divided by its size once.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import roc_auc_score

torch.manual_seed(21)
rng = np.random.default_rng(21)
torch.set_num_threads(1)
L = 64
t = np.arange(L) / 32.0


def normal_windows(n):
    base = rng.uniform(150, 400, (n, 1))                   # N, depends on wind
    f = rng.uniform(0.3, 1.2, (n, 1))                      # figure-of-eight pumping
    ph = rng.uniform(0, 2 * np.pi, (n, 1))
    amp = rng.uniform(0.1, 0.35, (n, 1)) * base
    gust = rng.normal(0, 1, (n, L)).cumsum(1) * rng.uniform(1, 4, (n, 1))
    return base + amp * np.sin(2 * np.pi * f * t + ph) + 0.5 * amp * np.sin(4 * np.pi * f * t + 2 * ph) + gust + rng.normal(0, 4, (n, L))


def anomalous_windows(n):
    w = normal_windows(n)
    for i in range(n):
        kind = rng.integers(0, 3)
        s = rng.integers(5, L - 20)
        if kind == 0:       # snag: sudden spike then ringing
            w[i, s:s + 12] += w[i, s] * 0.25 * np.exp(-np.arange(12) / 3) * np.cos(np.arange(12) * 1.7)
        elif kind == 1:     # luff then snap
            w[i, s:s + 10] *= 0.6
            w[i, s + 10:s + 13] *= 1.4
        else:               # load-cell freeze (repeats its last reading)
            w[i, s:s + rng.integers(5, 12)] = w[i, s - 1]
    return w


train_raw = normal_windows(3000)
val_raw = normal_windows(500)
test_raw = np.concatenate([normal_windows(450), anomalous_windows(50)])
test_lab = np.r_[np.zeros(450), np.ones(50)]
scale = train_raw.std()
center = train_raw.mean()
prep = lambda a: torch.tensor((a - center) / scale, dtype=torch.float32)
xtr, xva, xte = prep(train_raw), prep(val_raw), prep(test_raw)


class VAE(nn.Module):
    def __init__(self, d=L, h=128, z=8):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, h), nn.ELU(), nn.Linear(h, h), nn.ELU())
        self.mu = nn.Linear(h, z)
        self.logvar = nn.Linear(h, z)
        self.dec = nn.Sequential(nn.Linear(z, h), nn.ELU(), nn.Linear(h, h), nn.ELU(), nn.Linear(h, d))

    def forward(self, x):
        h = self.enc(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if self.training else mu
        return self.dec(z), mu, logvar


def vae_terms(x, recon, mu, logvar, reduction):
    # Gaussian likelihood with fixed unit-less noise scale: squared error summed over the window
    rec = F.mse_loss(recon, x, reduction="none").sum(1) / (2 * 0.05)
    kl = -0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(1)
    if reduction == "sum":
        return rec.sum(), kl.sum()
    return rec.mean(), kl.mean()


model = VAE()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
loader = DataLoader(TensorDataset(xtr), batch_size=100, shuffle=True)
epochs, anneal_epochs = 30, 10

for epoch in range(epochs):
    model.train()
    for i, (xb,) in enumerate(loader):
        beta = min(1.0, (epoch + i / len(loader)) / anneal_epochs)
        recon, mu, logvar = model(xb)
        rec, kl = vae_terms(xb, recon, mu, logvar, "mean")
        loss = rec + beta * kl
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        tot_rec, tot_kl = vae_terms(xva, *model(xva), reduction="sum")
        val_elbo = (tot_rec + tot_kl).item() / len(xva)
    if epoch % 5 == 4 or epoch == 0:
        print(f"epoch {epoch + 1:2d} beta {beta:.2f} train_loss {loss.item():.2f} (rec {rec.item():.2f} kl {kl.item():.2f}) "
              f"val_negELBO {val_elbo:.2f}")

model.eval()
with torch.no_grad():
    recon, mu, logvar = model(xte)
    score = ((recon - xte) ** 2).mean(1).numpy()
print(f"test anomaly AUROC {roc_auc_score(test_lab, score):.3f}  (50 anomalous of 500 windows)")
