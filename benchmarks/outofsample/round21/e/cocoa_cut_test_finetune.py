# Cocoa bean cut-test grading (well fermented / partly purple / purple / slaty / mouldy /
# insect-damaged) from 20x20 RGB crops of halved beans.
# Stage 1: a small CNN is trained on a large archive of crops graded under the old four-grade
#          scheme (sound / purple / slaty / defective), which the lab has plenty of.
# Stage 2: the six-grade head is trained on a small graded set. The first two conv blocks stay
#          frozen (requires_grad=False, kept in eval mode so their BatchNorm statistics do not
#          move); the last block is fine-tuned at a learning rate 30x below the new head's.
# Reported: grade accuracy against the same network trained from scratch on the graded set.
import copy
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(4)
torch.set_num_threads(1)
rng = np.random.default_rng(4)
S = 20
BASE = {0: (0.45, 0.28, 0.15), 1: (0.50, 0.28, 0.30), 2: (0.42, 0.20, 0.38),
        3: (0.38, 0.38, 0.40), 4: (0.45, 0.28, 0.15), 5: (0.45, 0.28, 0.15)}
FAMILY = np.array([0, 1, 1, 2, 3, 3])      # old 4-grade scheme: sound / purple / slaty / defective


def bean(grade):
    yy, xx = np.mgrid[0:S, 0:S] - (S - 1) / 2
    a, b = rng.uniform(7, 9), rng.uniform(5, 7)
    th = rng.uniform(0, np.pi)
    u = xx * np.cos(th) + yy * np.sin(th)
    v = -xx * np.sin(th) + yy * np.cos(th)
    inside = (u / a) ** 2 + (v / b) ** 2 <= 1
    col = np.array(BASE[grade]) + rng.normal(0, 0.05, 3)
    img = np.where(inside[None], col[:, None, None], 0.08)
    if grade == 1:                                             # purple only at the centre
        core = (u / (a * 0.5)) ** 2 + (v / (b * 0.5)) ** 2 <= 1
        img = np.where(core[None], np.array(BASE[2])[:, None, None], img)
    if grade == 0:                                             # open, cracked cotyledons
        for _ in range(3):
            off = rng.uniform(-3, 3)
            crack = np.abs(v - off - 0.3 * u) < 0.5
            img = np.where((crack & inside)[None], img * 0.55, img)
    if grade == 4:                                             # mould: fluffy light patches
        cy, cx = rng.uniform(-3, 3, 2)
        spot = ((yy - cy) ** 2 + (xx - cx) ** 2 < rng.uniform(4, 9)) & inside
        img = np.where(spot[None], np.array([0.75, 0.75, 0.70])[:, None, None], img)
    if grade == 5:                                             # insect holes: small dark dots
        for _ in range(rng.integers(2, 5)):
            cy, cx = rng.uniform(-4, 4, 2)
            hole = ((yy - cy) ** 2 + (xx - cx) ** 2 < 1.6) & inside
            img = np.where(hole[None], 0.02, img)
    img = img * rng.uniform(0.7, 1.3) + rng.normal(0, 0.12, img.shape)
    return img.astype(np.float32)


def dataset(n, p=None):
    g = rng.choice(6, size=n, p=p)
    return torch.tensor(np.stack([bean(k) for k in g])), torch.tensor(g)


X_arch, g_arch = dataset(3000)
y_arch = torch.tensor(FAMILY[g_arch.numpy()])
X_tr, y_tr = dataset(150)
X_va, y_va = dataset(600)
mean = X_arch.mean((0, 2, 3), keepdim=True)
std = X_arch.std((0, 2, 3), keepdim=True)
norm = lambda x: (x - mean) / std
X_arch, X_tr, X_va = norm(X_arch), norm(X_tr), norm(X_va)


def conv_block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2))


class BeanNet(nn.Module):
    def __init__(self, n_out):
        super().__init__()
        self.block1, self.block2, self.block3 = conv_block(3, 16), conv_block(16, 32), conv_block(32, 32)
        self.head = nn.Linear(32, n_out)

    def forward(self, x):
        h = self.block3(self.block2(self.block1(x)))
        return self.head(h.mean((2, 3)))


def train(model, X, y, epochs, param_groups, bs=32, frozen=()):
    opt = torch.optim.Adam(param_groups)
    for epoch in range(epochs):
        model.train()
        for m in frozen:
            m.eval()
        perm = torch.randperm(len(X))
        for b in range(0, len(X), bs):
            j = perm[b:b + bs]
            x = X[j]
            if torch.rand(()) < 0.5:
                x = x.flip(3)
            loss = F.cross_entropy(model(x), y[j])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model


@torch.no_grad()
def accuracy(model, X, y):
    model.eval()
    return (model(X).argmax(1) == y).float().mean().item()


# stage 1: defect-family pretraining on the archive
backbone = BeanNet(4)
train(backbone, X_arch, y_arch, 6, [{"params": backbone.parameters(), "lr": 2e-3}], bs=64)
print(f"stage 1: old-scheme grade accuracy (val crops) {accuracy(backbone, X_va, torch.tensor(FAMILY[y_va.numpy()])):.3f}")

# stage 2: grading head on the small graded set
model = copy.deepcopy(backbone)
model.head = nn.Linear(32, 6)
for blk in (model.block1, model.block2):
    for p in blk.parameters():
        p.requires_grad_(False)
train(model, X_tr, y_tr, 25,
      [{"params": model.block3.parameters(), "lr": 1e-4},
       {"params": model.head.parameters(), "lr": 3e-3}],
      frozen=(model.block1, model.block2))
acc_ft = accuracy(model, X_va, y_va)

scratch = BeanNet(6)
train(scratch, X_tr, y_tr, 25, [{"params": scratch.parameters(), "lr": 3e-3}])
acc_scratch = accuracy(scratch, X_va, y_va)
print(f"baselines: majority {max(np.bincount(y_va.numpy())) / len(y_va):.3f}, "
      f"same CNN from scratch on the 150 graded crops {acc_scratch:.3f}")
print(f"final: fine-tuned grade accuracy {acc_ft:.3f} on {len(y_va)} val crops")
