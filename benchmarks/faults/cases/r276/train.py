import numpy as np
import torch
from torch import nn

from benchmarks.faults.casedata2 import ring_points


def mode_score(samples, modes, radius, spread):
    angles = 2 * np.pi * np.arange(modes) / modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    distance = np.linalg.norm(samples[:, None, :] - centres[None], axis=2)
    nearest = distance.argmin(axis=1)
    close = distance.min(axis=1) < 3 * spread * radius
    covered = np.mean([np.mean((nearest == k) & close) > 0.25 / modes for k in range(modes)])
    return covered * close.mean()


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    modes, radius, spread = 4, 2.0, 0.08
    data = torch.tensor(ring_points(n=4000, modes=modes, radius=radius, spread=spread, seed=1))
    latent = 8

    generator = nn.Sequential(nn.Linear(latent, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    discriminator = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    criterion = nn.BCEWithLogitsLoss()
    batch = 128

    for step in range(1500):
        real = data[torch.randint(len(data), (batch,))]
        z = torch.randn(batch, latent)
        fake = generator(z)

        opt_d.zero_grad()
        loss_d = criterion(discriminator(real), torch.ones(batch, 1)) + criterion(discriminator(fake.detach()), torch.zeros(batch, 1))
        loss_d.backward()
        opt_d.step()

        opt_g.zero_grad()
        loss_g = criterion(discriminator(fake), torch.ones(batch, 1))
        loss_g.backward()
        opt_g.step()
        if step % 250 == 0:
            print(f"step {step} loss_d {loss_d.item():.3f} loss_g {loss_g.item():.3f}")

    generator.eval()
    with torch.no_grad():
        samples = generator(torch.randn(2000, latent)).numpy()
    print(f"final_val_metric={mode_score(samples, modes, radius, spread):.4f}")


if __name__ == "__main__":
    main()
