"""MLP GAN on the 8x8 digit scans (pixels scaled to [-1, 1], tanh generator output).

Two Adam optimizers with the DCGAN betas (0.5, 0.999), non-saturating generator loss,
one-sided label smoothing (real targets 0.9), D and G stepped alternately.  Quality is scored
the way image GANs usually are, with a classifier trained on the real digits: an Inception-style
score (confident and diverse predictions) and the number of digit classes the samples cover.
"""
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

SEED = 11
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)
Z = 32


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(Z, 128), nn.BatchNorm1d(128), nn.ReLU(True),
            nn.Linear(128, 256), nn.BatchNorm1d(256), nn.ReLU(True),
            nn.Linear(256, 64), nn.Tanh(),
        )

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(64, 256), nn.LeakyReLU(0.2, True), nn.Dropout(0.3),
            nn.Linear(256, 128), nn.LeakyReLU(0.2, True), nn.Dropout(0.3),
            nn.Linear(128, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(1)


def train_judge(X, y):
    """Small classifier on the real digits, used only to score samples."""
    judge = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(judge.parameters(), lr=1e-3)
    for _ in range(300):
        idx = torch.randint(0, len(X), (128,))
        loss = F.cross_entropy(judge(X[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return judge.eval()


@torch.no_grad()
def score(judge, x):
    p = F.softmax(judge(x), 1)
    py = p.mean(0, keepdim=True)
    kl = (p * (p.clamp_min(1e-12).log() - py.clamp_min(1e-12).log())).sum(1).mean()
    classes = int((torch.bincount(p.argmax(1), minlength=10) >= 0.02 * len(x)).sum())
    return kl.exp().item(), classes, p.max(1).values.mean().item()


def main():
    d = load_digits()
    X = torch.tensor(d.data / 8.0 - 1.0, dtype=torch.float32)  # 0..16 -> -1..1
    y = torch.tensor(d.target)
    judge = train_judge(X, y)
    loader = DataLoader(TensorDataset(X), batch_size=64, shuffle=True, drop_last=True)

    G, D = Generator(), Discriminator()
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    criterion = nn.BCEWithLogitsLoss()
    fixed_z = torch.randn(1000, Z)

    G.eval()
    is0, cls0, _ = score(judge, G(fixed_z))
    for epoch in range(1, 61):
        G.train()
        for (real,) in loader:
            b = real.size(0)
            # (1) update D: maximise log D(x) + log(1 - D(G(z)))
            optD.zero_grad()
            fake = G(torch.randn(b, Z))
            lossD = criterion(D(real), torch.full((b,), 0.9)) + criterion(D(fake.detach()), torch.zeros(b))
            lossD.backward()
            optD.step()
            # (2) update G: maximise log D(G(z))
            optG.zero_grad()
            lossG = criterion(D(fake), torch.ones(b))
            lossG.backward()
            optG.step()
        if epoch % 10 == 0:
            G.eval()
            is_, cls, conf = score(judge, G(fixed_z))
            print(f"epoch {epoch:3d} loss_D {lossD.item():.3f} loss_G {lossG.item():.3f} "
                  f"IS {is_:.2f} classes {cls}/10 judge-confidence {conf:.3f}")
    is_real, cls_real, _ = score(judge, X[torch.randperm(len(X))[:1000]])
    print(f"untrained generator IS {is0:.2f} classes {cls0}/10; real digits IS {is_real:.2f} classes {cls_real}/10")
    G.eval()
    is_, cls, conf = score(judge, G(fixed_z))
    print(f"FINAL generator IS {is_:.2f} classes {cls}/10")


if __name__ == "__main__":
    main()
