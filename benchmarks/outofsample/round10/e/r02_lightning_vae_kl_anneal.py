"""Variational autoencoder for 8x8 handwriting scans (Lightning), with KL annealing.

The KL weight ramps linearly from 0 to 1 over the first epochs so the decoder learns to
use the latent code before the prior pulls on it (Bowman et al. 2016). Pixels are
binarised at half intensity and scored with a Bernoulli likelihood on logits, summed per image.
"""
import lightning.pytorch as pl
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

pl.seed_everything(7, workers=True)

X = (load_digits().data >= 8).astype(np.float32)  # binarised scans
X_tr, X_te = train_test_split(X, test_size=0.2, random_state=7)
train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_te)), batch_size=256)


class VAE(pl.LightningModule):
    def __init__(self, latent=8, hidden=128, anneal_epochs=10, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.enc = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                                 nn.ReLU(), nn.Linear(hidden, 64))

    def forward(self, x):
        h = self.enc(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.dec(z), mu, logvar

    def terms(self, x):
        logits, mu, logvar = self(x)
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1).mean()
        kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)).mean()
        return rec, kl

    def beta(self):
        return min(1.0, (self.current_epoch + 1) / self.hparams.anneal_epochs)

    def training_step(self, batch, batch_idx):
        rec, kl = self.terms(batch[0])
        loss = rec + self.beta() * kl
        self.log_dict({"train_rec": rec, "train_kl": kl, "beta": self.beta()}, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        rec, kl = self.terms(batch[0])
        self.log("val_loss", rec + kl, prog_bar=True)
        self.log("val_rec", rec)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


model = VAE()
trainer = pl.Trainer(max_epochs=40, accelerator="cpu", devices=1, logger=False,
                     enable_checkpointing=False, enable_progress_bar=False,
                     enable_model_summary=False, deterministic=True)
trainer.fit(model, train_loader, val_loader)

model.eval()
with torch.no_grad():
    xt = torch.from_numpy(X_te)
    rec, kl = model.terms(xt)
    p = torch.from_numpy(X_tr.mean(0)).clamp(1e-4, 1 - 1e-4)
    base = F.binary_cross_entropy(p.expand_as(xt), xt, reduction="none").sum(1).mean()
print(f"final test -ELBO={float(rec + kl):.2f} nats/image (rec {float(rec):.2f}, kl {float(kl):.2f}); "
      f"mean-image baseline {float(base):.2f}")
