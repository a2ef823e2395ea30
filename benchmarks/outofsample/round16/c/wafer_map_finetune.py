"""Wafer-map defect pattern classification, transferred from one fab to another.

A small CNN is trained on plenty of labelled 24x24 wafer bin maps from fab A, then adapted to
fab B (different defect density and die yield) from only 40 labelled maps per pattern:
first conv block frozen, second block at a tenth of the head's LR, label smoothing, and
random 90-degree rotations / flips (wafer patterns have no preferred orientation).
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(6)
rng = np.random.default_rng(6)
S = 24
PATTERNS = ["none", "center", "edge_ring", "scratch", "donut", "local"]
yy, xx = np.mgrid[0:S, 0:S]
r = np.hypot(yy - (S - 1) / 2, xx - (S - 1) / 2) / (S / 2)
on_wafer = r <= 1.0


def wafer(p, base_fail, strength):
    fail = rng.random((S, S)) < base_fail
    if p == 1:
        fail |= rng.random((S, S)) < strength * np.exp(-(r / rng.uniform(0.25, 0.4)) ** 2)
    elif p == 2:
        fail |= (r > rng.uniform(0.78, 0.88)) & (rng.random((S, S)) < strength)
    elif p == 3:
        ang = rng.uniform(0, np.pi)
        c = rng.uniform(-0.3, 0.3, 2) * S / 2 + (S - 1) / 2
        d = np.abs((xx - c[0]) * np.sin(ang) - (yy - c[1]) * np.cos(ang))
        along = np.abs((xx - c[0]) * np.cos(ang) + (yy - c[1]) * np.sin(ang))
        fail |= (d < 0.9) & (along < rng.uniform(5, 10)) & (rng.random((S, S)) < strength + 0.15)
    elif p == 4:
        rad = rng.uniform(0.4, 0.6)
        fail |= (np.abs(r - rad) < 0.12) & (rng.random((S, S)) < strength)
    elif p == 5:
        c = rng.uniform(0.2, 0.8, 2) * S
        fail |= (np.hypot(yy - c[0], xx - c[1]) < rng.uniform(2, 3.5)) & (rng.random((S, S)) < strength + 0.1)
    img = np.where(on_wafer, np.where(fail, 1.0, 0.5), 0.0)  # 0 off-wafer, 0.5 pass, 1 fail
    return img.astype(np.float32)


def fab(n_per, base_fail, strength):
    X = np.stack([wafer(p, base_fail, strength) for p in range(len(PATTERNS)) for _ in range(n_per)])
    y = np.repeat(np.arange(len(PATTERNS)), n_per)
    return torch.from_numpy(X[:, None] * 2 - 1), torch.from_numpy(y)


XA, yA = fab(250, base_fail=0.04, strength=0.7)
XB_tr, yB_tr = fab(40, base_fail=0.09, strength=0.55)
XB_va, yB_va = fab(100, base_fail=0.09, strength=0.55)


def augment(x):
    k = int(torch.randint(0, 4, (1,)))
    x = torch.rot90(x, k, dims=(2, 3))
    return torch.flip(x, dims=(3,)) if torch.rand(1).item() < 0.5 else x


class WaferCNN(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.block1 = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2))
        self.block2 = nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * 6 * 6, 64), nn.ReLU(), nn.Dropout(0.2),
                                  nn.Linear(64, n_classes))

    def forward(self, x):
        return self.head(self.block2(self.block1(x)))


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(1) == y).float().mean().item()


def fit(model, optimizer, loader, epochs, smoothing):
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            loss = F.cross_entropy(model(augment(xb)), yb, label_smoothing=smoothing)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


# stage 1: fab A
model = WaferCNN(len(PATTERNS))
opt_a = torch.optim.Adam(model.parameters(), lr=2e-3)
fit(model, opt_a, DataLoader(TensorDataset(XA, yA), batch_size=64, shuffle=True), epochs=6, smoothing=0.0)
print(f"fab A model on fab B val: {accuracy(model, XB_va, yB_va):.3f}")

# stage 2: adapt to fab B with 40 labels per pattern
for p in model.block1.parameters():
    p.requires_grad_(False)
model.head[-1].reset_parameters()
opt_b = torch.optim.Adam([
    {"params": model.block2.parameters(), "lr": 1e-4},
    {"params": model.head.parameters(), "lr": 1e-3},
])
loader_b = DataLoader(TensorDataset(XB_tr, yB_tr), batch_size=32, shuffle=True)
fit(model, opt_b, loader_b, epochs=25, smoothing=0.1)
print(f"final fab B val_acc {accuracy(model, XB_va, yB_va):.4f}")
