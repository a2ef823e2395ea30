"""Checkup spec: a small MLP VAE on the 8x8 digit scans.

Pixels are scaled to [0, 1] and modelled as Bernoulli logits; the objective is the
negative ELBO per image (summed reconstruction BCE + analytic KL), averaged over the batch.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nndoctor

LATENT = 8


class DigitVAE(nn.Module):
    def __init__(self, n_pixels=64, hidden=128, latent=LATENT):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(n_pixels, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU())
        self.to_mu = nn.Linear(hidden, latent)
        self.to_logvar = nn.Linear(hidden, latent)
        self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, n_pixels))

    def encode(self, x):
        h = self.enc(x)
        return self.to_mu(h), self.to_logvar(h).clamp(-8.0, 8.0)

    def forward(self, x):
        mu, logvar = self.encode(x)
        if self.training:
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        else:
            z = mu
        return self.dec(z), mu, logvar


def neg_elbo(outputs, target):
    recon_logits, mu, logvar = outputs
    rec = F.binary_cross_entropy_with_logits(recon_logits, target, reduction="none").sum(dim=1)
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1)
    return (rec + kl).mean()


def setup():
    torch.manual_seed(0)
    X = load_digits().data.astype(np.float32) / 16.0
    X_tr, X_va = train_test_split(X, test_size=0.2, random_state=0)
    X_tr, X_va = torch.from_numpy(X_tr), torch.from_numpy(X_va)
    return nndoctor.Setup(
        model=DigitVAE(),
        train=(X_tr, X_tr),
        val=(X_va, X_va),
        loss=neg_elbo,
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
        name="digits-vae",
    )
