"""Cassiterite mineralisation style from drill-core end-face scans (tin mine core shed).

24x24 greyscale scans of sawn core faces, four logging classes: barren granite, disseminated
grains, single vein, stockwork. Cores are cut at any rotation, so flips and 90-degree turns are
label-preserving augmentation. Small ResNet-style CNN with BatchNorm, SGD + Nesterov under
OneCycleLR, label smoothing, and an EMA copy of the weights (deepcopy) that is what we ship:
the whole EMA module is torch.save'd and reloaded for the final test.
"""
import copy
import os
import tempfile
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)
torch.set_num_threads(1)
S = 24
yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)


def grain_texture():
    img = rng.normal(0.45, 0.08, (S, S))
    # coarse feldspar/quartz mottling
    for _ in range(rng.integers(6, 12)):
        cy, cx, r = rng.uniform(0, S), rng.uniform(0, S), rng.uniform(1.5, 4)
        img += rng.uniform(-0.15, 0.15) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
    return img


def vein(img, width):
    th = rng.uniform(0, np.pi)
    c = rng.uniform(-5, 5)
    d = (xx - S / 2) * np.cos(th) + (yy - S / 2) * np.sin(th) - c
    return img + rng.uniform(0.25, 0.5) * np.exp(-d ** 2 / (2 * width ** 2))


def scan(label):
    img = grain_texture()
    if label == 1:
        for _ in range(rng.integers(4, 12)):
            cy, cx = rng.uniform(0, S, 2)
            img += rng.uniform(0.25, 0.5) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 1.2)
    elif label == 2:
        img = vein(img, rng.uniform(0.8, 2.0))
    elif label == 3:
        for _ in range(rng.integers(3, 5)):
            img = vein(img, rng.uniform(0.5, 1.0))
    return np.clip(img + rng.normal(0, 0.10, (S, S)), 0, 1.5)


N = 1700
labels = rng.integers(0, 4, N)
images = np.stack([scan(l) for l in labels]).astype(np.float32)[:, None]
mean, std = images[:1200].mean(), images[:1200].std()
X = torch.from_numpy((images - mean) / std)
Y = torch.from_numpy(labels)
train_ds = TensorDataset(X[:1200], Y[:1200])
val_x, val_y = X[1200:1450], Y[1200:1450]
test_x, test_y = X[1450:], Y[1450:]


def augment(x):
    k = int(torch.randint(0, 4, (1,)))
    x = torch.rot90(x, k, dims=(2, 3))
    if torch.rand(1) < 0.5:
        x = torch.flip(x, dims=(3,))
    return x


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.short = nn.Sequential()
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.b1(self.c1(x)))
        out = self.b2(self.c2(out))
        return F.relu(out + self.short(x))


class CoreNet(nn.Module):
    def __init__(self, n_cls=4):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.layer1 = BasicBlock(16, 16, 1)
        self.layer2 = BasicBlock(16, 32, 2)
        self.fc = nn.Linear(32, n_cls)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


model = CoreNet()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
ema_steps = 0

epochs = 10
loader = DataLoader(train_ds, batch_size=64, shuffle=True, drop_last=True)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.2, epochs=epochs, steps_per_epoch=len(loader))
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)


@torch.no_grad()
def ema_update():
    global ema_steps
    ema_steps += 1
    decay = min(0.98, (1 + ema_steps) / (10 + ema_steps))
    msd = model.state_dict()
    for k, v in ema.state_dict().items():
        if v.dtype.is_floating_point:
            v.mul_(decay).add_(msd[k].detach(), alpha=1 - decay)
        else:
            v.copy_(msd[k])


@torch.no_grad()
def accuracy(net, x, y):
    net.eval()
    return (net(x).argmax(1) == y).float().mean().item()


for epoch in range(epochs):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(augment(xb)), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        ema_update()
    print(f"epoch {epoch + 1} loss {loss.item():.3f} val_acc {accuracy(model, val_x, val_y):.3f} "
          f"ema_val_acc {accuracy(ema, val_x, val_y):.3f}")

path = os.path.join(tempfile.mkdtemp(), "core_ema.pt")
torch.save(ema, path)
shipped = torch.load(path, weights_only=False)
print(f"test_acc (shipped EMA model) {accuracy(shipped, test_x, test_y):.3f}")
