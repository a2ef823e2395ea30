"""Variational autoencoder on statically binarised 8x8 digit scans (pixel > 8 of 16 -> 1).

Loss per image = summed BCE-with-logits over the 64 pixels + beta * KL, averaged over the batch;
beta is warmed up from 0 to 1 over the first epochs (KL annealing) to avoid posterior collapse.
Memory-style gradient accumulation: micro-batches of 32, four of them per optimizer step, each
loss divided by the number of micro-batches; Adam with cosine decay per epoch.  Reported metric: validation negative ELBO (beta=1)
in nats per image against the best independent-pixel model (training-set pixel means).
"""
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

SEED = 5
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)


class VAE(nn.Module):
    def __init__(self, d_in=64, hidden=256, latent=10):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d_in, hidden), nn.ELU(), nn.Linear(hidden, hidden), nn.ELU())
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.ELU(), nn.Linear(hidden, hidden), nn.ELU(),
                                 nn.Linear(hidden, d_in))

    def forward(self, x, sample=None):
        """sample=None: draw z in training mode, use the posterior mean in eval mode."""
        h = self.enc(x)
        mu, logvar = self.mu(h), self.logvar(h)
        if sample is None:
            sample = self.training
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if sample else mu
        return self.dec(z), mu, logvar


def vae_terms(logits, x, mu, logvar):
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)
    return rec.mean(), kl.mean()


@torch.no_grad()
def neg_elbo(model, loader, n_samples=5):
    model.eval()
    rec_tot = kl_tot = 0.0
    n = 0
    for (x,) in loader:
        for _ in range(n_samples):
            logits, mu, logvar = model(x, sample=True)  # the ELBO needs z ~ q(z|x)
            rec, kl = vae_terms(logits, x, mu, logvar)
            rec_tot += rec.item() * len(x) / n_samples
            kl_tot += kl.item() * len(x) / n_samples
        n += len(x)
    return (rec_tot + kl_tot) / n, rec_tot / n, kl_tot / n


def main():
    X = (load_digits().data > 8).astype(np.float32)  # static binarisation, as for binarised MNIST
    Xtr, Xva = train_test_split(X, test_size=0.2, random_state=SEED)
    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr)), batch_size=32, shuffle=True, drop_last=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva)), batch_size=256)

    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    accum = 4
    epochs, warm_epochs = 60, 10
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs, eta_min=1e-5)
    steps_per_epoch = len(train_loader)

    for epoch in range(1, epochs + 1):
        model.train()
        tot = 0.0
        optimizer.zero_grad()
        for i, (x,) in enumerate(train_loader):
            beta = min(1.0, ((epoch - 1) * steps_per_epoch + i) / (warm_epochs * steps_per_epoch))
            logits, mu, logvar = model(x)
            rec, kl = vae_terms(logits, x, mu, logvar)
            loss = rec + beta * kl
            (loss / accum).backward()
            if (i + 1) % accum == 0 or (i + 1) == steps_per_epoch:
                optimizer.step()
                optimizer.zero_grad()
            tot += loss.item()
        scheduler.step()
        if epoch % 5 == 0:
            nelbo, rec, kl = neg_elbo(model, val_loader)
            print(f"epoch {epoch:3d} beta {beta:.2f} train loss {tot / steps_per_epoch:.2f} "
                  f"val -ELBO {nelbo:.2f} (rec {rec:.2f} + KL {kl:.2f})")

    p = torch.from_numpy(Xtr).mean(0).clamp(1e-4, 1 - 1e-4)
    xv = torch.from_numpy(Xva)
    baseline = F.binary_cross_entropy(p.expand_as(xv), xv, reduction="none").sum(1).mean().item()
    nelbo, rec, kl = neg_elbo(model, val_loader)
    print(f"independent-pixel baseline val NLL {baseline:.2f} nats/image")
    print(f"FINAL val -ELBO {nelbo:.2f} nats/image (rec {rec:.2f}, KL {kl:.2f})")


if __name__ == "__main__":
    main()
