import numpy as np
import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from benchmarks.faults.casedata2 import ring_points


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    data = torch.tensor(ring_points(n=4000, modes=4, radius=2.0, spread=0.1, seed=4))
    latent = 8
    generator = nn.Sequential(nn.Linear(latent, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    discriminator = nn.Sequential(
        spectral_norm(nn.Linear(2, 64)), nn.LeakyReLU(0.2),
        spectral_norm(nn.Linear(64, 64)), nn.LeakyReLU(0.2),
        spectral_norm(nn.Linear(64, 1)),
    )
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.0, 0.9))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=4e-3, betas=(0.0, 0.9))
    batch = 128

    for step in range(1200):
        real = data[torch.randint(len(data), (batch,))]
        fake = generator(torch.randn(batch, latent))
        loss_d = torch.relu(1 - discriminator(real)).mean() + torch.relu(1 + discriminator(fake.detach())).mean()
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()

        loss_g = -discriminator(fake).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        if step % 200 == 0:
            print(f"step {step} d {loss_d.item():.3f} g {loss_g.item():.3f}")

    with torch.no_grad():
        samples = generator(torch.randn(2000, latent)).numpy()
    reference = ring_points(n=2000, modes=4, radius=2.0, spread=0.1, seed=5)
    distance = np.mean([np.abs(np.sort(samples[:, k]) - np.sort(reference[:, k])).mean() for k in range(2)])
    print(f"final_val_metric={1.0 / (1.0 + distance):.4f}")


if __name__ == "__main__":
    main()
