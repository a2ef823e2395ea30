"""Retail shelf-gap detection from store ceiling cameras: classify a 24x48 shelf-strip crop as
fully faced / pushed-back facing (partial gap) / empty slot.

Crops are grey-level; lighting varies by aisle. Training uses on-the-fly augmentation
(horizontal flip, small shifts, brightness/contrast jitter, sensor noise) and a short
curriculum: the first two epochs see only the clearer half of the crops (high-contrast
gaps, even lighting), then the full set, shuffled. Validation crops are never augmented.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset, Subset

torch.manual_seed(31)
rng = np.random.default_rng(31)
H, W, N = 24, 48, 2400


def crop(label):
    img = np.full((H, W), 0.15)
    n_fac = rng.integers(5, 9)
    edges = np.linspace(0, W, n_fac + 1).astype(int)
    shade = rng.uniform(0.45, 0.9, n_fac)
    for k in range(n_fac):
        top = rng.integers(3, 8)
        img[top:H - 2, edges[k] + 1:edges[k + 1] - 1] = shade[k]
        img[top + 2:top + 5, edges[k] + 2:edges[k + 1] - 2] += rng.uniform(-0.2, 0.2)   # label band
    difficulty = rng.uniform(0, 0.3)
    if label > 0:
        k = rng.integers(0, n_fac)
        a, b = edges[k] + 1, edges[k + 1] - 1
        if label == 1:      # facing pushed back: looks shorter and darker
            drop = rng.integers(4, 9)
            dim = rng.uniform(0.55, 0.8)
            col = img[:, a:b].copy()
            img[:, a:b] = 0.15
            img[drop:, a:b] = col[: H - drop] * dim
            img[H - 2:, a:b] = 0.15
            difficulty = (1 - (drop - 4) / 5) * 0.5 + (dim - 0.55) * 2
        else:               # empty slot: back panel and shelf lip visible
            back = rng.uniform(0.08, 0.3)
            img[:, a:b] = back
            img[H - 4:H - 2, a:b] = 0.5
            difficulty = back * 3
    light = rng.uniform(0.6, 1.3) * np.linspace(rng.uniform(0.7, 1.0), rng.uniform(0.9, 1.2), W)[None]
    difficulty += abs(light.mean() - 1.0)
    img = img * light + rng.normal(0, 0.04, (H, W))
    return img, difficulty


labels = rng.choice(3, N, p=[0.45, 0.3, 0.25])
crops, diff = zip(*[crop(c) for c in labels])
X = np.stack(crops)[:, None].astype(np.float32)
diff = np.array(diff)
idx = rng.permutation(N)
tr, va = idx[:2000], idx[2000:]
mu, sd = X[tr].mean(), X[tr].std()
X = (X - mu) / sd

train_ds = TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(labels[tr]))
easy = np.concatenate([                      # clearer half of every class
    np.flatnonzero(labels[tr] == c)[np.argsort(diff[tr][labels[tr] == c])[: (labels[tr] == c).sum() // 2]]
    for c in range(3)])
easy_loader = DataLoader(Subset(train_ds, easy.tolist()), batch_size=64, shuffle=True)
full_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
Xv, yv = torch.from_numpy(X[va]), torch.from_numpy(labels[va])


def augment(xb):
    flip = torch.rand(len(xb)) < 0.5
    xb = torch.where(flip[:, None, None, None], xb.flip(-1), xb)
    dx, dy = (int(v) for v in torch.randint(-3, 4, (2,)))
    xb = torch.roll(xb, shifts=(dy // 2, dx), dims=(2, 3))
    gain = 1 + 0.15 * torch.randn(len(xb), 1, 1, 1)
    bias = 0.2 * torch.randn(len(xb), 1, 1, 1)
    return xb * gain + bias + 0.05 * torch.randn_like(xb)


class ShelfNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 48, 3, padding=1), nn.BatchNorm2d(48), nn.ReLU(),
        )
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(96, 3)

    def forward(self, x):
        h = self.body(x)
        return self.fc(self.drop(torch.cat([h.mean(dim=(2, 3)), h.amax(dim=(2, 3))], 1)))


model = ShelfNet()
EPOCHS = 14
opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, weight_decay=5e-4)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)

for epoch in range(EPOCHS):
    loader = easy_loader if epoch < 2 else full_loader
    model.train()
    tot, n = 0.0, 0
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(augment(xb)), yb)
        loss.backward()
        opt.step()
        tot, n = tot + loss.item() * len(yb), n + len(yb)
    sched.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xv).argmax(1) == yv).float().mean().item()
    print(f"epoch {epoch + 1:2d} ({'easy half' if epoch < 2 else 'all'}) train_loss={tot / n:.4f} val_acc={acc:.4f}")

print(f"final val_accuracy={acc:.4f}")
