"""Convolutional denoising autoencoder on the scikit-learn digits, with an EMA copy
of the weights used for validation (reconstruction MSE on clean images)."""
import argparse
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


class ConvAE(nn.Module):
    def __init__(self, latent=12):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.SiLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.SiLU(),      # 4x4
            nn.Flatten(), nn.Linear(32 * 4 * 4, latent))
        self.decoder = nn.Sequential(
            nn.Linear(latent, 32 * 4 * 4), nn.SiLU(), nn.Unflatten(1, (32, 4, 4)),
            nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.SiLU(),  # 8x8
            nn.Conv2d(16, 1, 3, padding=1))

    def forward(self, x):
        return self.decoder(self.encoder(x))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)


@torch.no_grad()
def val_mse(model, loader):
    model.eval()
    se, n = 0.0, 0
    for (x,) in loader:
        se += ((model(x) - x) ** 2).sum().item()
        n += x.numel()
    return se / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--noise", type=float, default=0.3)
    ap.add_argument("--ema", type=float, default=0.98)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    images = load_digits().images.astype(np.float32) / 16.0
    x_tr, x_va = train_test_split(images, test_size=0.2, random_state=args.seed)
    mean, std = x_tr.mean(), x_tr.std()
    norm = lambda a: torch.from_numpy((a - mean) / std).unsqueeze(1)
    train_loader = DataLoader(TensorDataset(norm(x_tr)), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(norm(x_va)), batch_size=256)

    model = ConvAE()
    ema = copy.deepcopy(model).requires_grad_(False)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(args.epochs):
        model.train()
        for (x,) in train_loader:
            noisy = x + args.noise * torch.randn_like(x)
            loss = nn.functional.mse_loss(model(noisy), x)
            opt.zero_grad()
            loss.backward()
            opt.step()
            ema_update(ema, model, args.ema)
        if epoch % 5 == 4:
            print(f"epoch {epoch + 1}: train_mse={loss.item():.4f} "
                  f"val_mse={val_mse(model, val_loader):.4f} ema_val_mse={val_mse(ema, val_loader):.4f}")

    print(f"final ema_val_mse={val_mse(ema, val_loader):.5f}")


if __name__ == "__main__":
    main()
