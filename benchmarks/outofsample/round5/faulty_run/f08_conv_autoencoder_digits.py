"""Convolutional autoencoder for the 8x8 digit scans (12-d code), in the style of the
pytorch/examples VAE script. The decoder gets its own, larger learning rate.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser(description="digits conv AE")
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--epochs", type=int, default=15)
parser.add_argument("--latent", type=int, default=12)
parser.add_argument("--enc-lr", type=float, default=1e-3)
parser.add_argument("--dec-lr", type=float, default=3e-3)
parser.add_argument("--seed", type=int, default=1)
args = parser.parse_args()

torch.manual_seed(args.seed)
images = load_digits().images.astype(np.float32) / 16.0
x_train, x_test = train_test_split(images[:, None], test_size=0.2, random_state=args.seed)
train_loader = DataLoader(TensorDataset(torch.from_numpy(x_train)), batch_size=args.batch_size,
                          shuffle=True)
test_loader = DataLoader(TensorDataset(torch.from_numpy(x_test)), batch_size=256)


class Encoder(nn.Module):
    def __init__(self, latent):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.fc = nn.Linear(32 * 4 * 4, latent)

    def forward(self, x):
        h = F.relu(self.conv1(x))
        h = F.relu(self.conv2(h))
        return self.fc(h.flatten(1))


class Decoder(nn.Module):
    def __init__(self, latent):
        super().__init__()
        self.fc = nn.Linear(latent, 32 * 4 * 4)
        self.deconv = nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1)
        self.out = nn.Conv2d(16, 1, 3, padding=1)

    def forward(self, z):
        h = F.relu(self.fc(z)).view(-1, 32, 4, 4)
        h = F.relu(self.deconv(h))
        return torch.sigmoid(self.out(h))


encoder, decoder = Encoder(args.latent), Decoder(args.latent)
enc_opt = torch.optim.Adam(encoder.parameters(), lr=args.enc_lr)
dec_opt = torch.optim.Adam(decoder.parameters(), lr=args.dec_lr)


def train(epoch):
    encoder.train()
    decoder.train()
    total = 0.0
    for (data,) in train_loader:
        enc_opt.zero_grad()
        dec_opt.zero_grad()
        recon = decoder(encoder(data))
        loss = F.binary_cross_entropy(recon, data)
        loss.backward()
        enc_opt.step()
        total += loss.item() * len(data)
    print(f"====> Epoch: {epoch} Average loss: {total / len(train_loader.dataset):.4f}")


def test():
    encoder.eval()
    decoder.eval()
    bce = mse = 0.0
    with torch.no_grad():
        for (data,) in test_loader:
            recon = decoder(encoder(data))
            bce += F.binary_cross_entropy(recon, data, reduction="sum").item()
            mse += F.mse_loss(recon, data, reduction="sum").item()
    n = len(test_loader.dataset) * 64
    print(f"====> Test set loss: {bce / n:.4f}  mse: {mse / n:.4f}")
    return bce / n, mse / n


for epoch in range(1, args.epochs + 1):
    train(epoch)
    test_bce, test_mse = test()
print(f"final test_bce={test_bce:.4f} test_mse={test_mse:.4f}")
