"""Zoning classifier for survey parcels: given a parcel's easting/northing (km)
predict whether it lies in a residential or a commercial block of a 4x4 grid
of alternating zoning blocks (a synthetic map, sampled with GPS jitter near the
block boundaries). A 3x64 ReLU MLP trained with Adam; reports held-out accuracy.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
rng = np.random.default_rng(0)

EXTENT_KM, BLOCKS = 3.4, 4


def sample_parcels(n):
    xy = rng.uniform(0, EXTENT_KM, size=(n, 2))
    block = np.floor(xy / (EXTENT_KM / BLOCKS)).astype(int)
    zone = (block[:, 0] + block[:, 1]) % 2                     # 0 residential, 1 commercial
    xy = xy + rng.normal(0, 0.01, size=xy.shape)               # GPS jitter
    return xy.astype(np.float32), zone.astype(np.int64)


xy_tr, z_tr = sample_parcels(6000)
xy_va, z_va = sample_parcels(2000)
center = EXTENT_KM / 2
X_tr = torch.from_numpy(xy_tr - center)
X_va = torch.from_numpy(xy_va - center)
y_tr, y_va = torch.from_numpy(z_tr), torch.from_numpy(z_va)


class ZoningMLP(nn.Module):
    def __init__(self, width=64, depth=3):
        super().__init__()
        layers, d = [], 2
        for _ in range(depth):
            layers += [nn.Linear(d, width), nn.ReLU()]
            d = width
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(d, 2)
        for m in self.body:
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.body(x))


model = ZoningMLP()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-2)
batch_size, epochs = 64, 40

for epoch in range(1, epochs + 1):
    model.train()
    perm = torch.randperm(len(X_tr))
    total, seen = 0.0, 0
    for i in range(0, len(perm), batch_size):
        idx = perm[i:i + batch_size]
        logits = model(X_tr[idx])
        loss = F.cross_entropy(logits, y_tr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
        seen += len(idx)
    if epoch % 5 == 0:
        model.eval()
        with torch.no_grad():
            acc = (model(X_va).argmax(1) == y_va).float().mean().item()
        print(f"epoch {epoch:3d} | train loss {total / seen:.4f} | val acc {acc:.4f}")

model.eval()
with torch.no_grad():
    acc = (model(X_va).argmax(1) == y_va).float().mean().item()
print(f"final val_acc={acc:.4f}")
