import numpy as np
import torch
from torch import autograd, nn

from benchmarks.faults.casedata2 import ring_points


def gradient_penalty(critic, real, fake):
    alpha = torch.rand(real.size(0), 1)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = critic(mixed)
    grads = autograd.grad(scores.sum(), mixed, create_graph=True)[0]
    return ((grads.norm(2, dim=1) - 1) ** 2).mean()


def sliced_distance(a, b, projections=64, seed=0):
    rng = np.random.default_rng(seed)
    directions = rng.standard_normal((2, projections))
    directions /= np.linalg.norm(directions, axis=0, keepdims=True)
    pa, pb = np.sort(a @ directions, axis=0), np.sort(b @ directions, axis=0)
    return np.abs(pa - pb).mean()


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    data = torch.tensor(ring_points(n=4000, modes=6, radius=2.0, spread=0.1, seed=2))
    latent = 4
    generator = nn.Sequential(nn.Linear(latent, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    critic = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.9))
    opt_c = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))
    batch, n_critic, lambda_gp = 128, 4, 0.1

    for step in range(500):
        for _ in range(n_critic):
            real = data[torch.randint(len(data), (batch,))]
            fake = generator(torch.randn(batch, latent)).detach()
            loss_c = critic(fake).mean() - critic(real).mean() + lambda_gp * gradient_penalty(critic, real, fake)
            opt_c.zero_grad()
            loss_c.backward()
            opt_c.step()
        loss_g = -critic(generator(torch.randn(batch, latent))).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        if step % 100 == 0:
            print(f"step {step} critic {loss_c.item():.3f} generator {loss_g.item():.3f}")

    with torch.no_grad():
        samples = generator(torch.randn(2000, latent)).numpy()
    reference = ring_points(n=2000, modes=6, radius=2.0, spread=0.1, seed=3)
    print(f"final_val_metric={1.0 / (1.0 + sliced_distance(samples, reference)):.4f}")


if __name__ == "__main__":
    main()
