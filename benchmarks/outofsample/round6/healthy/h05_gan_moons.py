"""A small GAN that learns the two-moons distribution (scikit-learn's make_moons, standardised):
generator and discriminator MLPs, two Adam optimizers (betas 0.5/0.999 as in DCGAN), the
non-saturating loss and an R1 gradient penalty on real data (Mescheder et al. 2018, gamma 10),
one D step per G step. Real minibatches are
drawn by index from a fixed training pool, no DataLoader. Quality: precision (share of generated
points near the real data) and recall (share of held-out real points with a generated point
nearby) at a fixed radius, against a fresh real sample and a Gaussian as references."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons

torch.manual_seed(11)
X, _ = make_moons(n_samples=12000, noise=0.06, random_state=11)
X_train, X_test = X[:10000], X[10000:]
mu, sd = X_train.mean(0), X_train.std(0)
real_pool = torch.tensor((X_train - mu) / sd, dtype=torch.float32)
real_test = torch.tensor((X_test - mu) / sd, dtype=torch.float32)
Z_DIM = 8

R1_GAMMA = 10.0
G = nn.Sequential(nn.Linear(Z_DIM, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))
D = nn.Sequential(nn.Linear(2, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))
opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))

RADIUS = 0.15   # in standardised units; the moons are about 0.07 thick after scaling


@torch.no_grad()
def precision_recall(n=2000, fake=None):
    if fake is None:
        G.eval()
        fake = G(torch.randn(n, Z_DIM))
        G.train()
    precision = (torch.cdist(fake, real_pool).min(1).values < RADIUS).float().mean().item()
    recall = (torch.cdist(real_test, fake).min(1).values < RADIUS).float().mean().item()
    return precision, recall


BATCH, STEPS = 256, 2000
for step in range(1, STEPS + 1):
    real = real_pool[torch.randint(0, len(real_pool), (BATCH,))].requires_grad_(True)
    fake = G(torch.randn(BATCH, Z_DIM))

    # discriminator: real -> 1, fake -> 0, plus R1 penalty on the gradient at real points
    opt_d.zero_grad()
    d_real, d_fake = D(real), D(fake.detach())
    loss_d = F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) + \
        F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
    grad_real, = torch.autograd.grad(d_real.sum(), real, create_graph=True)
    r1 = grad_real.pow(2).sum(1).mean()
    (loss_d + 0.5 * R1_GAMMA * r1).backward()
    opt_d.step()

    # generator: non-saturating loss
    opt_g.zero_grad()
    d_gen = D(fake)
    loss_g = F.binary_cross_entropy_with_logits(d_gen, torch.ones_like(d_gen))
    loss_g.backward()
    opt_g.step()

    if step % 500 == 0:
        p, r = precision_recall()
        print(f"step {step:5d} loss_d {loss_d.item():.3f} loss_g {loss_g.item():.3f} precision {p:.3f} recall {r:.3f}")

p, r = precision_recall(4000)
ref_real = precision_recall(fake=torch.tensor((make_moons(4000, noise=0.06, random_state=99)[0] - mu) / sd,
                                               dtype=torch.float32))
ref_gauss = precision_recall(fake=torch.randn(4000, 2))
print(f"references: fresh real sample precision {ref_real[0]:.3f} recall {ref_real[1]:.3f}; "
      f"standard Gaussian precision {ref_gauss[0]:.3f} recall {ref_gauss[1]:.3f}")
print(f"final precision {p:.4f} recall {r:.4f}")
