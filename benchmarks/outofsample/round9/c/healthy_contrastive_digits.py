"""Self-supervised contrastive pretraining (SimCLR-style NT-Xent) on 8x8 digit scans.

Two augmented views per scan (1-pixel shifts, contrast jitter, pixel dropout, noise) are pulled
together against all other views in the batch. An EMA copy of the encoder is kept for
evaluation, which is a linear probe (logistic regression) on frozen EMA features.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

torch.manual_seed(0)
np.random.seed(0)

digits = load_digits()
images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0  # (N,1,8,8) in [0,1]
labels = digits.target
perm = np.random.permutation(len(images))
train_idx, val_idx = perm[:1400], perm[1400:]
train_images = images[train_idx]


def augment(x):
    n = x.size(0)
    pad = F.pad(x, (1, 1, 1, 1))
    dx, dy = torch.randint(0, 3, (2,)).tolist()
    x = pad[:, :, dy:dy + 8, dx:dx + 8]
    x = x * torch.empty(n, 1, 1, 1).uniform_(0.7, 1.3)
    x = x * (torch.rand_like(x) > 0.1)
    x = x + 0.08 * torch.randn_like(x)
    return (x - 0.3) / 0.4


class Encoder(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(64, dim, 3, padding=1), nn.BatchNorm2d(dim), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )

    def forward(self, x):
        return self.conv(x)


class SimCLR(nn.Module):
    def __init__(self, dim=64, proj=32):
        super().__init__()
        self.encoder = Encoder(dim)
        self.projector = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, proj))

    def forward(self, x):
        return self.projector(self.encoder(x))


def nt_xent(z1, z2, temperature=0.2):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.t() / temperature
    n = z1.size(0)
    sim.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


@torch.no_grad()
def probe_accuracy(encoder):
    encoder.eval()
    norm = lambda x: (x - 0.3) / 0.4
    f_tr = encoder(norm(images[train_idx])).numpy()
    f_va = encoder(norm(images[val_idx])).numpy()
    clf = LogisticRegression(max_iter=2000).fit(f_tr, labels[train_idx])
    return clf.score(f_va, labels[val_idx])


model = SimCLR()
ema_encoder = copy.deepcopy(model.encoder)
for p in ema_encoder.parameters():
    p.requires_grad_(False)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
epochs, batch_size = 10, 128
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
ema_decay = 0.98

print(f"linear probe on random encoder: {probe_accuracy(model.encoder):.4f}")
for epoch in range(epochs):
    model.train()
    order = torch.randperm(len(train_images))
    total = 0.0
    for i in range(0, len(order) - batch_size + 1, batch_size):
        x = train_images[order[i:i + batch_size]]
        loss = nt_xent(model(augment(x)), model(augment(x)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for pe, pm in zip(ema_encoder.parameters(), model.encoder.parameters()):
                pe.lerp_(pm, 1 - ema_decay)
            for be, bm in zip(ema_encoder.buffers(), model.encoder.buffers()):
                be.copy_(bm)
        total += loss.item()
    scheduler.step()
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1}: nt-xent {total / (len(order) // batch_size):.4f}  "
              f"probe acc (EMA) {probe_accuracy(ema_encoder):.4f}")

path = os.path.join(tempfile.mkdtemp(), "simclr_digits_ema.pt")
torch.save(ema_encoder, path)
restored = torch.load(path, weights_only=False)
print(f"final linear-probe val accuracy (EMA encoder): {probe_accuracy(restored):.4f}")
