import numpy as np
import torch
from torch import nn


def real_samples(n, rng):
    centre = rng.choice([-2.0, 2.0], size=(n, 1))
    return torch.tensor(centre + 0.5 * rng.standard_normal((n, 1)), dtype=torch.float32)


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    generator = nn.Sequential(nn.Linear(4, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
    critic = nn.Sequential(nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    batch = 64

    for step in range(1500):
        real = real_samples(batch, rng)
        fake = generator(torch.randn(batch, 4))

        opt_d.zero_grad()
        d_loss = bce(critic(real), torch.ones(batch, 1)) + bce(critic(fake.detach()), torch.zeros(batch, 1))
        d_loss.backward()
        opt_d.step()

        opt_g.zero_grad()
        g_loss = bce(critic(fake), torch.ones(batch, 1))
        g_loss.backward()
        opt_g.step()
        if step % 300 == 0:
            print(f"step {step} d_loss {d_loss.item():.3f} g_loss {g_loss.item():.3f}")

    with torch.no_grad():
        samples = generator(torch.randn(4000, 4)).squeeze(-1).numpy()
    reference = real_samples(4000, rng).squeeze(-1).numpy()
    distance = np.abs(np.sort(samples) - np.sort(reference)).mean()
    print(f"final_val_metric={1.0 / (1.0 + distance):.4f}")


if __name__ == "__main__":
    main()
