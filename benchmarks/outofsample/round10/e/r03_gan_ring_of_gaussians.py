"""GAN on the 8-Gaussian ring (Metz et al. unrolled-GAN benchmark), DCGAN-style loop.

Two optimizers, Adam(beta1=0.5), non-saturating generator loss, label smoothing on the
real side of the discriminator. Scored by mode coverage and share of high-quality samples.
"""
import math

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(3)
np.random.seed(3)

N_MODES, RADIUS, STD = 8, 2.0, 0.05
CENTERS = torch.tensor([[RADIUS * math.cos(2 * math.pi * k / N_MODES),
                         RADIUS * math.sin(2 * math.pi * k / N_MODES)] for k in range(N_MODES)])


def sample_real(n):
    idx = torch.randint(0, N_MODES, (n,))
    return CENTERS[idx] + STD * torch.randn(n, 2)


nz = 16
netG = nn.Sequential(nn.Linear(nz, 128), nn.ReLU(True), nn.Linear(128, 128), nn.ReLU(True),
                     nn.Linear(128, 2))
netD = nn.Sequential(nn.Linear(2, 128), nn.LeakyReLU(0.2, True), nn.Linear(128, 128),
                     nn.LeakyReLU(0.2, True), nn.Linear(128, 1))

criterion = nn.BCEWithLogitsLoss()
optimizerD = torch.optim.Adam(netD.parameters(), lr=5e-4, betas=(0.5, 0.999))
optimizerG = torch.optim.Adam(netG.parameters(), lr=5e-4, betas=(0.5, 0.999))
real_label, fake_label = 0.9, 0.0
batch_size = 256


def evaluate(G, n=4000):
    with torch.no_grad():
        x = G(torch.randn(n, nz))
    d = torch.cdist(x, CENTERS)
    nearest = d.min(1)
    good = nearest.values < 3 * STD
    counts = torch.bincount(nearest.indices[good], minlength=N_MODES)
    covered = int((counts > 0.25 * n / N_MODES * good.float().mean()).sum())
    return float(good.float().mean()), covered


hq0, modes0 = evaluate(netG)
for step in range(2500):
    # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
    real = sample_real(batch_size)
    netD.zero_grad()
    out = netD(real).view(-1)
    errD_real = criterion(out, torch.full((batch_size,), real_label))
    errD_real.backward()
    fake = netG(torch.randn(batch_size, nz))
    out = netD(fake.detach()).view(-1)
    errD_fake = criterion(out, torch.full((batch_size,), fake_label))
    errD_fake.backward()
    optimizerD.step()

    # (2) Update G: maximize log(D(G(z)))
    netG.zero_grad()
    out = netD(fake).view(-1)
    errG = criterion(out, torch.ones(batch_size))
    errG.backward()
    optimizerG.step()

    if step % 500 == 0:
        hq, modes = evaluate(netG)
        print(f"[{step:4d}] Loss_D {(errD_real + errD_fake).item():.3f} Loss_G {errG.item():.3f} "
              f"high-quality {hq:.3f} modes {modes}/{N_MODES}")

hq, modes = evaluate(netG)
print(f"final high-quality share={hq:.3f}, modes covered={modes}/{N_MODES} "
      f"(untrained generator: {hq0:.3f}, {modes0}/{N_MODES})")
