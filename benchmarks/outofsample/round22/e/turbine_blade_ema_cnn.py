"""Defect class of borescope crops of turbine blades (none, crack, edge nick, coating loss).

Small CNN with BatchNorm, SGD + Nesterov and a multi-step LR, flip/brightness augmentation,
and an exponential moving average of the weights kept in a deepcopy. The EMA model is what gets
shipped: saved whole with torch.save(model) and reloaded for the final evaluation.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(2)
rng = np.random.default_rng(2)
S = 20
CLASSES = ["ok", "crack", "nick", "coating_loss"]


def blade_crop(label):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    angle = rng.uniform(-0.5, 0.5)
    edge = S * rng.uniform(0.55, 0.8) + np.tan(angle) * (yy - S / 2)
    blade = (xx < edge).astype(np.float32)
    img = 0.25 + 0.4 * blade * (0.8 + 0.2 * np.sin(yy / rng.uniform(2, 5)))  # machining marks
    img += rng.uniform(-0.1, 0.1) * (xx / S)  # illumination gradient
    if label == 1:  # crack: thin dark line inside the blade
        y0 = rng.uniform(4, S - 4)
        slope = rng.uniform(-1.2, 1.2)
        line = np.abs((yy - y0) - slope * (xx - edge.mean() + 6)) < 0.7
        img[line & (xx < edge - 1) & (xx > edge - rng.uniform(4, 9))] -= 0.25
    elif label == 2:  # nick: notch bitten out of the edge
        cy = rng.uniform(4, S - 4)
        notch = (yy - cy) ** 2 + (xx - edge) ** 2 < rng.uniform(3, 7) ** 2
        img[notch] = 0.25 + rng.normal(0, 0.02)
    elif label == 3:  # coating loss: bright irregular patch
        cy, cx = rng.uniform(5, S - 5), rng.uniform(3, edge.mean() - 3)
        r = rng.uniform(2, 4)
        patch = ((yy - cy) / r) ** 2 + ((xx - cx) / (r * rng.uniform(0.6, 1.6))) ** 2 < 1
        img[patch & (blade > 0)] += 0.2
    img += rng.normal(0, 0.09, img.shape)
    return img.astype(np.float32)


def make(n):
    y = rng.integers(0, 4, n)
    return np.stack([blade_crop(c) for c in y])[:, None], y


Xtr, ytr = make(1600)
Xva, yva = make(600)
MEAN, STD = float(Xtr.mean()), float(Xtr.std())


class Crops(Dataset):
    def __init__(self, X, y, augment):
        self.X = torch.from_numpy((X - MEAN) / STD)
        self.y = torch.from_numpy(y)
        self.augment = augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.augment:
            if torch.rand(()) < 0.5:
                x = x.flip(1)  # blades are imaged root-up or tip-up
            x = x * (1 + 0.1 * torch.randn(())) + 0.1 * torch.randn(())
        return x, self.y[i]


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class BladeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(block(1, 16), block(16, 16), nn.MaxPool2d(2),
                                      block(16, 32), block(32, 32), nn.MaxPool2d(2),
                                      block(32, 32), nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(32, len(CLASSES))

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


model = BladeNet()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)
EMA_DECAY = 0.99
ema_updates = 0


@torch.no_grad()
def update_ema():
    # averages weights and BatchNorm running statistics alike; the decay ramps up over the first steps
    global ema_updates
    ema_updates += 1
    decay = min(EMA_DECAY, (1 + ema_updates) / (10 + ema_updates))
    msd = model.state_dict()
    for k, v in ema.state_dict().items():
        if v.dtype.is_floating_point:
            v.lerp_(msd[k], 1 - decay)
        else:
            v.copy_(msd[k])


train_loader = DataLoader(Crops(Xtr, ytr, True), batch_size=64, shuffle=True)
val_loader = DataLoader(Crops(Xva, yva, False), batch_size=200)
EPOCHS = 10
optimizer = torch.optim.SGD(model.parameters(), lr=0.04, momentum=0.9, nesterov=True, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[7, 9], gamma=0.2)


@torch.no_grad()
def accuracy(net):
    net.eval()
    correct = 0
    for x, y in val_loader:
        correct += (net(x).argmax(1) == y).sum().item()
    return correct / len(val_loader.dataset)


for epoch in range(EPOCHS):
    model.train()
    running = 0.0
    for x, y in train_loader:
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        update_ema()
        running += loss.item() * len(y)
    scheduler.step()
    print(f"epoch {epoch + 1:2d} lr {scheduler.get_last_lr()[0]:.4f} train_loss {running / len(ytr):.4f} "
          f"val_acc {accuracy(model):.4f} ema_val_acc {accuracy(ema):.4f}")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "blade_ema.pt")
    torch.save(ema, path)
    shipped = torch.load(path, weights_only=False)
print(f"final shipped EMA val_acc {accuracy(shipped):.4f} (raw weights {accuracy(model):.4f})")
