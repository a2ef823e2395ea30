"""Woven-fabric inspection: classify 24x24 line-scan patches into
ok / hole / slub / broken-end / stain.

Defects are rare on the loom, so the loss is class-weighted (inverse
frequency) with a little label smoothing; flips are used as augmentation
(a flip never turns a slub into a broken end, a transpose would).
Forward passes run under CPU bfloat16 autocast.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)
S = 24
CLASSES = ["ok", "hole", "slub", "broken_end", "stain"]
PRIOR = [0.64, 0.09, 0.09, 0.09, 0.09]


def weave(n):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    period = rng.uniform(3.0, 4.5, (n, 1, 1))
    phx, phy = rng.uniform(0, 2 * np.pi, (2, n, 1, 1))
    img = 0.5 + 0.18 * np.sin(2 * np.pi * xx / period + phx) * np.sin(2 * np.pi * yy / period + phy)
    img += rng.normal(0, 0.07, (n, S, S))
    img *= rng.uniform(0.8, 1.2, (n, 1, 1))  # illumination drift between scans
    return img.astype(np.float32)


def add_defect(img, c):
    yy, xx = np.mgrid[0:S, 0:S]
    cy, cx = rng.integers(4, S - 4, 2)
    if c == 1:  # hole: small dark spot
        r = rng.uniform(1.2, 2.2)
        img[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = rng.uniform(0.05, 0.25)
    elif c == 2:  # slub: thick bright weft streak
        h = rng.integers(1, 3)
        x0, x1 = sorted(rng.integers(0, S, 2))
        x1 = max(x1, x0 + 5)
        img[cy:cy + h, x0:x1] += rng.uniform(0.15, 0.3)
    elif c == 3:  # broken end: a warp thread missing, vertical line flattened
        y0 = rng.integers(0, S // 2)
        img[y0:, cx] = img[y0:, cx].mean() - rng.uniform(0.08, 0.18)
    elif c == 4:  # stain: wide, faint, smooth blob
        r = rng.uniform(5, 8)
        img -= rng.uniform(0.07, 0.13) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
    return img


def make_split(n):
    labels = rng.choice(len(CLASSES), n, p=PRIOR)
    imgs = weave(n)
    for i, c in enumerate(labels):
        if c:
            imgs[i] = add_defect(imgs[i], c)
    return imgs[:, None], labels


Xtr, ytr = make_split(2400)
Xte, yte = make_split(800)
mu, sd = Xtr.mean(), Xtr.std()
Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
test_loader = DataLoader(TensorDataset(torch.from_numpy(Xte), torch.from_numpy(yte)), batch_size=256)


def conv_bn(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class PatchNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(1, 16), conv_bn(16, 16), nn.MaxPool2d(2),
            conv_bn(16, 32), nn.MaxPool2d(2),
            conv_bn(32, 48),
        )
        self.head = nn.Linear(48 * 2, n_classes)

    def forward(self, x):
        f = self.features(x)
        f = torch.cat([F.adaptive_avg_pool2d(f, 1), F.adaptive_max_pool2d(f, 1)], 1).flatten(1)
        return self.head(f)


model = PatchNet(len(CLASSES))
counts = np.bincount(ytr, minlength=len(CLASSES))
weights = torch.tensor(counts.sum() / (len(CLASSES) * counts), dtype=torch.float32)
criterion = nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05)
epochs = 10
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)


def augment(x):
    flip_h = torch.rand(x.size(0)) < 0.5
    flip_v = torch.rand(x.size(0)) < 0.5
    x = torch.where(flip_h[:, None, None, None], x.flip(3), x)
    x = torch.where(flip_v[:, None, None, None], x.flip(2), x)
    return x


def balanced_accuracy(net, loader):
    net.eval()
    preds, ys = [], []
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for xb, yb in loader:
            preds.append(net(xb).float().argmax(1))
            ys.append(yb)
    p, t = torch.cat(preds), torch.cat(ys)
    recalls = [(p[t == c] == c).float().mean().item() for c in range(len(CLASSES))]
    return float(np.mean(recalls)), recalls


for epoch in range(epochs):
    model.train()
    tot, n = 0.0, 0
    for xb, yb in train_loader:
        xb = augment(xb)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(xb)
        loss = criterion(logits.float(), yb)
        loss.backward()
        optimizer.step()
        tot += loss.item() * len(yb)
        n += len(yb)
    scheduler.step()
    bacc, _ = balanced_accuracy(model, test_loader)
    print(f"epoch {epoch + 1:2d} lr {scheduler.get_last_lr()[0]:.4f} train loss {tot / n:.4f} test balanced acc {bacc:.3f}")

bacc, recalls = balanced_accuracy(model, test_loader)
print("per-class recall", {c: round(r, 3) for c, r in zip(CLASSES, recalls)})
print(f"test balanced accuracy {bacc:.3f}")
