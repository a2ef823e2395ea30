"""Variational autoencoder on 8x8 handwritten glyph scans (scikit-learn digits), in the
style of the PyTorch examples VAE: per-sample summed BCE + KL, a linear KL warm-up over the
first epochs, and a test pass that sums the loss over the whole split and divides by its size.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser(description="glyph VAE")
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--latent", type=int, default=8)
parser.add_argument("--warmup-epochs", type=int, default=10)
parser.add_argument("--seed", type=int, default=5)
args = parser.parse_args()
torch.manual_seed(args.seed)

digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
perm = torch.randperm(len(X), generator=torch.Generator().manual_seed(args.seed))
X = X[perm]
train_loader = DataLoader(TensorDataset(X[:1500]), batch_size=args.batch_size, shuffle=True)
test_loader = DataLoader(TensorDataset(X[1500:]), batch_size=256)


class VAE(nn.Module):
    def __init__(self, latent):
        super().__init__()
        self.fc1 = nn.Linear(64, 128)
        self.fc21 = nn.Linear(128, latent)
        self.fc22 = nn.Linear(128, latent)
        self.fc3 = nn.Linear(latent, 128)
        self.fc4 = nn.Linear(128, 64)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + torch.randn_like(std) * std

    def decode(self, z):
        return self.fc4(F.relu(self.fc3(z)))

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_logits, x, mu, logvar, beta=1.0):
    bce = F.binary_cross_entropy_with_logits(recon_logits, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + beta * kld


model = VAE(args.latent)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)


def train(epoch):
    model.train()
    beta = min(1.0, epoch / args.warmup_epochs)
    train_loss = 0.0
    for (data,) in train_loader:
        optimizer.zero_grad()
        recon, mu, logvar = model(data)
        loss = loss_function(recon, data, mu, logvar, beta) / len(data)
        loss.backward()
        optimizer.step()
        train_loss += loss.item() * len(data)
    return train_loss / len(train_loader.dataset), beta


def test():
    model.eval()
    test_loss = 0.0
    with torch.no_grad():
        for (data,) in test_loader:
            recon, mu, logvar = model(data)
            test_loss += loss_function(recon, data, mu, logvar).item()
    return test_loss / len(test_loader.dataset)


for epoch in range(1, args.epochs + 1):
    tr, beta = train(epoch)
    te = test()
    if epoch % 5 == 0 or epoch == 1:
        print(f"====> Epoch {epoch}  beta {beta:.2f}  train loss {tr:.3f}  test -ELBO {te:.3f}")

p = X[:1500].mean(0).clamp(1e-4, 1 - 1e-4)
baseline = F.binary_cross_entropy(p.expand_as(X[1500:]), X[1500:], reduction="sum").item() / len(X[1500:])
xt = X[1500:].clamp(1e-6, 1 - 1e-6)
floor = -(xt * xt.log() + (1 - xt) * (1 - xt).log()).sum().item() / len(xt)
print(f"final: test -ELBO per image {te:.3f} nats (per-pixel mean baseline {baseline:.3f}, "
      f"entropy floor of the grey levels {floor:.3f})")
