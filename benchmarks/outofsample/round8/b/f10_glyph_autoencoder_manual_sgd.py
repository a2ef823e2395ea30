"""Denoising convolutional autoencoder for scanned form glyphs (8x8 grey), used to clean
crops before OCR. Hand-written SGD with momentum, no torch.optim."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from sklearn.datasets import load_digits

torch.manual_seed(5)

EPOCHS = 3
LR = 0.05
MOMENTUM = 0.9
BATCH = 32

images = torch.tensor(load_digits().images, dtype=torch.float32).unsqueeze(1) / 16.0
perm = torch.randperm(len(images))
train_x, val_x = images[perm[:1500]], images[perm[1500:]]


class GlyphAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
                                 nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),   # 4x4
                                 nn.Flatten(), nn.Linear(32 * 16, 24))
        self.dec = nn.Sequential(nn.Linear(24, 32 * 16), nn.ReLU(), nn.Unflatten(1, (32, 4, 4)),
                                 nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.ReLU(),
                                 nn.Conv2d(16, 1, 3, padding=1))

    def forward(self, x):
        return self.dec(self.enc(x))          # logits of pixel intensity


def corrupt(x):
    return (x + 0.2 * torch.randn_like(x)).clamp(0, 1)


model = GlyphAE()
velocity = [torch.zeros_like(p) for p in model.parameters()]
g = torch.Generator().manual_seed(0)
val_noisy = (val_x + 0.2 * torch.randn(val_x.shape, generator=g)).clamp(0, 1)

for epoch in range(EPOCHS):
    model.train()
    order = torch.randperm(len(train_x))
    running = 0.0
    for i in range(0, len(order), BATCH):
        clean = train_x[order[i:i + BATCH]]
        loss = F.binary_cross_entropy_with_logits(model(corrupt(clean)), clean)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(MOMENTUM).add_(p.grad)
                p -= LR * v
        running += loss.item() * len(clean)
    model.eval()
    with torch.no_grad():
        recon = torch.sigmoid(model(val_noisy))
        val_mse = F.mse_loss(recon, val_x).item()
    print(f"epoch {epoch + 1:3d} train_bce {running / len(train_x):.4f} val_mse {val_mse:.5f}")

print(f"final val_mse {val_mse:.5f} (noisy input mse {F.mse_loss(val_noisy, val_x).item():.5f})")
