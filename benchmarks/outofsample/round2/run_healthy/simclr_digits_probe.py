import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(1234)
np.random.seed(1234)

digits = load_digits()
X = digits.images.astype(np.float32) / 16.0
y = digits.target
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
X_tr = torch.from_numpy(X_tr).unsqueeze(1)
X_te = torch.from_numpy(X_te).unsqueeze(1)
y_tr = torch.from_numpy(y_tr)
y_te = torch.from_numpy(y_te)
MEAN, STD = X_tr.mean(), X_tr.std()


def augment(x):
    b = x.size(0)
    theta = torch.zeros(b, 2, 3)
    ang = (torch.rand(b) - 0.5) * 0.5
    scale = 1 + (torch.rand(b) - 0.5) * 0.2
    theta[:, 0, 0] = torch.cos(ang) * scale
    theta[:, 0, 1] = -torch.sin(ang) * scale
    theta[:, 1, 0] = torch.sin(ang) * scale
    theta[:, 1, 1] = torch.cos(ang) * scale
    theta[:, :, 2] = (torch.rand(b, 2) - 0.5) * 0.3
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    x = F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")
    x = x + 0.1 * torch.randn_like(x)
    drop = (torch.rand(b, 1, 8, 8) > 0.1).float()
    return (x * drop - MEAN) / STD


class Encoder(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(64, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.proj = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, dim))

    def forward(self, x):
        return self.conv(x)


def nt_xent(z1, z2, tau=0.2):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.t() / tau
    n = z1.size(0)
    sim.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


enc = Encoder()
opt = torch.optim.AdamW(enc.parameters(), lr=3e-3, weight_decay=1e-4)
EPOCHS = 25
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)

for epoch in range(EPOCHS):
    enc.train()
    perm = torch.randperm(len(X_tr))
    tot = 0.0
    nb = 0
    for i in range(0, len(perm) - 127, 128):
        xb = X_tr[perm[i:i + 128]]
        z1 = enc.proj(enc(augment(xb)))
        z2 = enc.proj(enc(augment(xb)))
        loss = nt_xent(z1, z2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item()
        nb += 1
    sched.step()
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1} contrastive loss {tot / nb:.4f}")

enc.eval()
with torch.no_grad():
    f_tr = enc((X_tr - MEAN) / STD)
    f_te = enc((X_te - MEAN) / STD)
mu, sd = f_tr.mean(0), f_tr.std(0) + 1e-6
f_tr, f_te = (f_tr - mu) / sd, (f_te - mu) / sd

probe = nn.Linear(f_tr.size(1), 10)
popt = torch.optim.LBFGS(probe.parameters(), lr=0.5, max_iter=200, history_size=20, line_search_fn="strong_wolfe")


def closure():
    popt.zero_grad()
    loss = F.cross_entropy(probe(f_tr), y_tr) + 1e-3 * probe.weight.pow(2).sum()
    loss.backward()
    return loss


popt.step(closure)
with torch.no_grad():
    acc = (probe(f_te).argmax(1) == y_te).float().mean().item()
print(f"final linear-probe test accuracy {acc:.4f}")
