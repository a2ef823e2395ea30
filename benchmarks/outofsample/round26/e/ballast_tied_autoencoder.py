"""Cargo-ship ballast monitoring: a tied-weight autoencoder learns the normal joint pattern of
the ballast system (12 tank soundings, 4 pump currents, draft fore/aft/mid, heel, trim,
sea-water density) and flags snapshots it cannot reconstruct (a passing valve, a stuck
sounding pipe). The decoder reuses the encoder's weight matrices transposed, and the code
layer is deliberately narrow (5 units for 22 sensors): the loading state has few degrees of
freedom. Trained on normal snapshots only; scored by ROC AUC on a labelled validation set.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score

torch.manual_seed(23)
rng = np.random.default_rng(23)


def snapshots(n):
    cargo = rng.uniform(0, 1, n)            # loaded fraction
    trim_t = rng.normal(0, 0.6, n)          # target trim (m)
    heel = rng.normal(0, 0.8, n)            # deg
    phase = rng.uniform(0, 1, n)            # ballast exchange progress
    dens = rng.normal(1.025, 0.004, n)
    lon = np.linspace(-1, 1, 6)
    fill = np.clip(0.9 - 0.8 * cargo[:, None] + 0.25 * trim_t[:, None] * lon[None] * 0.6
                   + 0.15 * np.sin(np.pi * phase)[:, None], 0.02, 0.98)
    port = np.clip(fill + 0.05 * heel[:, None], 0, 1)
    stbd = np.clip(fill - 0.05 * heel[:, None], 0, 1)
    tanks = np.concatenate([port, stbd], 1) * 12.0        # soundings in m
    pumps = 30 + 60 * np.stack([np.sin(np.pi * phase) * (1 - cargo), np.sin(np.pi * phase) * cargo,
                                np.abs(heel) / 2, np.abs(trim_t)], 1)
    mean_draft = 6 + 5 * cargo + 1.5 * fill.mean(1)
    draft = np.stack([mean_draft - trim_t / 2, mean_draft, mean_draft + trim_t / 2], 1)
    X = np.concatenate([tanks, pumps, draft, heel[:, None], trim_t[:, None], (dens - 1.025)[:, None] * 250], 1)
    return X + rng.normal(0, 0.05, X.shape) * np.r_[np.full(12, 2.0), np.full(4, 3.0), np.ones(6)]


Xtr = snapshots(3000)
Xva = snapshots(800)
yva = np.zeros(800)
bad = rng.choice(800, 80, replace=False)
yva[bad] = 1
for i in bad:                                   # a passing valve: one tank drifts off its twin
    tank = rng.integers(0, 12)
    Xva[i, tank] += rng.choice([-1, 1]) * rng.uniform(2.5, 5.0)

mu, sd = Xtr.mean(0), Xtr.std(0)
Xt = torch.tensor((Xtr - mu) / sd, dtype=torch.float32)
Xv = torch.tensor((Xva - mu) / sd, dtype=torch.float32)


class TiedAE(nn.Module):
    def __init__(self, d, h=16, code=5):
        super().__init__()
        self.enc1 = nn.Linear(d, h)
        self.enc2 = nn.Linear(h, code)
        self.dec2_bias = nn.Parameter(torch.zeros(h))
        self.dec1_bias = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        z = self.enc2(torch.tanh(self.enc1(x)))
        h = torch.tanh(F.linear(z, self.enc2.weight.t(), self.dec2_bias))
        return F.linear(h, self.enc1.weight.t(), self.dec1_bias)


model = TiedAE(Xt.shape[1])
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[40, 70], gamma=0.2)

for epoch in range(90):
    model.train()
    perm = torch.randperm(len(Xt))
    for i in range(0, len(perm), 50):
        xb = Xt[perm[i:i + 50]]
        opt.zero_grad()
        loss = F.mse_loss(model(xb), xb)
        loss.backward()
        opt.step()
    sched.step()
    if epoch % 15 == 14:
        model.eval()
        with torch.no_grad():
            err = ((model(Xv) - Xv) ** 2).mean(1).numpy()
        print(f"epoch {epoch + 1:2d} train_mse={loss.item():.4f} val_normal_mse={err[yva == 0].mean():.4f} auc={roc_auc_score(yva, err):.4f}")

model.eval()
with torch.no_grad():
    err = ((model(Xv) - Xv) ** 2).mean(1).numpy()
print(f"final val_roc_auc={roc_auc_score(yva, err):.4f} normal_recon_mse={err[yva == 0].mean():.4f}")
