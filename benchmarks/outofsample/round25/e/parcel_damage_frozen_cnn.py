"""Parcel damage photos at a new sorting hub: reuse a CNN trained at the main depot.

Stage 1 trains a small CNN on the main depot's 24x24 grey crops (intact, crushed corner,
torn, water stain). Stage 2 moves to a new hub whose camera is darker and noisier and
which has only a few hundred labelled crops: the convolutional backbone is frozen (weights
and BatchNorm statistics) and only a new head is trained, with flips as augmentation and
label smoothing.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(31)
np.random.seed(31)
torch.set_num_threads(1)
CLASSES = ["intact", "crushed_corner", "torn", "water_stain"]
S = 24
yy, xx = np.mgrid[0:S, 0:S]


def crops(n, rng, gain=1.0, offset=0.0, noise=0.06):
    X = np.empty((n, 1, S, S), dtype=np.float32)
    y = rng.integers(0, 4, n)
    for i in range(n):
        x0, y0 = rng.integers(2, 6, 2)
        x1, y1 = rng.integers(18, 22, 2)
        img = np.full((S, S), 0.15)
        box = (xx >= x0) & (xx <= x1) & (yy >= y0) & (yy <= y1)
        img[box] = rng.uniform(0.55, 0.7)
        tape = box & (np.abs(yy - (y0 + y1) / 2) < 1.2)
        img[tape] = 0.85
        if y[i] == 1:
            k = rng.integers(5, 9)
            corner = rng.integers(4)
            cx, cy = (x0 if corner % 2 == 0 else x1), (y0 if corner < 2 else y1)
            crush = box & (np.abs(xx - cx) + np.abs(yy - cy) < k)
            img[crush] = 0.35 + 0.1 * rng.random(crush.sum())
        elif y[i] == 2:
            a = rng.uniform(0, np.pi)
            cx, cy = rng.uniform(8, 16, 2)
            d = np.abs((xx - cx) * np.sin(a) - (yy - cy) * np.cos(a))
            along = np.abs((xx - cx) * np.cos(a) + (yy - cy) * np.sin(a))
            tear = box & (d < 0.9 + 0.5 * np.sin(along * 2.3)) & (along < rng.uniform(4, 7))
            img[tear] = 0.05
        elif y[i] == 3:
            cx, cy = rng.uniform(8, 16, 2)
            r = rng.uniform(3, 5.5)
            blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r ** 2))
            img = img - 0.25 * blob * box
        X[i, 0] = img * gain + offset + rng.normal(0, noise, (S, S))
    return X, y


rng = np.random.default_rng(31)
Xd, yd = crops(3000, rng)                                    # main depot
Xh, yh = crops(900, rng, gain=0.7, offset=-0.05, noise=0.09)  # new hub camera
Xh_tr, yh_tr, Xh_va, yh_va = Xh[:400], yh[:400], Xh[400:], yh[400:]

d_mu, d_sd = Xd.mean(), Xd.std()
h_mu, h_sd = Xh_tr.mean(), Xh_tr.std()                      # each camera standardised by its own stats
t = lambda a, m, s: torch.from_numpy((a - m) / s)


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 48, 3, padding=1), nn.BatchNorm2d(48), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )

    def forward(self, x):
        return self.net(x)


def augment(x):
    flip_h = torch.rand(len(x)) < 0.5
    flip_v = torch.rand(len(x)) < 0.5
    x = torch.where(flip_h[:, None, None, None], x.flip(3), x)
    return torch.where(flip_v[:, None, None, None], x.flip(2), x)


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(1) == torch.from_numpy(y)).float().mean().item()


# stage 1: main depot, everything trainable
backbone = Backbone()
depot_model = nn.Sequential(backbone, nn.Linear(48, 4))
opt = torch.optim.Adam(depot_model.parameters(), lr=2e-3)
loader = DataLoader(TensorDataset(t(Xd, d_mu, d_sd), torch.from_numpy(yd)), batch_size=64, shuffle=True)
for epoch in range(4):
    depot_model.train()
    for xb, yb in loader:
        opt.zero_grad()
        F.cross_entropy(depot_model(augment(xb)), yb).backward()
        opt.step()
print(f"stage 1: depot accuracy on new-hub crops {accuracy(depot_model, t(Xh_va, h_mu, h_sd), yh_va):.3f} (head not adapted)")

# stage 2: new hub, frozen backbone, fresh head
for p in backbone.parameters():
    p.requires_grad_(False)
head = nn.Sequential(nn.Linear(48, 32), nn.ReLU(), nn.Linear(32, 4))
hub_model = nn.Sequential(backbone, head)
opt = torch.optim.AdamW(head.parameters(), lr=3e-3, weight_decay=1e-2)
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
loader = DataLoader(TensorDataset(t(Xh_tr, h_mu, h_sd), torch.from_numpy(yh_tr)), batch_size=32, shuffle=True)
for epoch in range(30):
    hub_model.train()
    backbone.eval()                     # keep the depot's BatchNorm statistics
    for xb, yb in loader:
        opt.zero_grad()
        loss = criterion(hub_model(augment(xb)), yb)
        loss.backward()
        opt.step()
    if (epoch + 1) % 10 == 0:
        print(f"epoch {epoch + 1}  loss {loss.item():.3f}  hub val acc {accuracy(hub_model, t(Xh_va, h_mu, h_sd), yh_va):.3f}")

print(f"final: new-hub val accuracy {accuracy(hub_model, t(Xh_va, h_mu, h_sd), yh_va):.3f} "
      f"({len(yh_tr)} labelled hub crops, 4 classes)")
