"""Single-lead ECG strip classification (normal / bradycardia / ectopic beats / irregular
rhythm) with a 1-D CNN. On-the-fly augmentation (shift, gain, baseline wander, noise), label
smoothing, an EMA copy of the weights that is evaluated and exported with torch.save."""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)
rng = np.random.default_rng(0)
FS, LEN = 100, 400        # 4 s at 100 Hz
CLASSES = ["normal", "brady", "ectopic", "irregular"]


def beat(t, center, width=0.025, amp=1.0):
    q = -0.15 * np.exp(-0.5 * ((t - center + 0.04) / 0.012) ** 2)
    r = amp * np.exp(-0.5 * ((t - center) / width) ** 2)
    s = -0.25 * np.exp(-0.5 * ((t - center - 0.04) / 0.015) ** 2)
    tw = 0.3 * np.exp(-0.5 * ((t - center - 0.28) / 0.06) ** 2)
    return q + r + s + tw


def strip(label):
    t = np.arange(LEN) / FS
    hr = {0: rng.uniform(60, 95), 1: rng.uniform(38, 52), 2: rng.uniform(60, 95), 3: rng.uniform(70, 120)}[label]
    rr = 60.0 / hr
    x, c = np.zeros(LEN), rng.uniform(0, rr)
    while c < t[-1] + 0.5:
        if label == 2 and rng.random() < 0.3:
            x += beat(t, c - 0.25 * rr, width=0.06, amp=-1.3)     # early, wide, inverted beat
            c += 1.5 * rr
            continue
        x += beat(t, c)
        c += rr * (rng.uniform(0.6, 1.4) if label == 3 else rng.uniform(0.97, 1.03))
    return x.astype(np.float32)


def make(n):
    y = rng.integers(0, 4, n)
    return np.stack([strip(int(k)) for k in y]), y


X_tr, y_tr = make(1800)
X_va, y_va = make(600)


class Strips(Dataset):
    def __init__(self, X, y, augment):
        self.X, self.y, self.augment = X, y, augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i].copy()
        if self.augment:
            x = np.roll(x, int(rng.integers(-50, 50)))
            x = x * rng.uniform(0.7, 1.3)
            x = x + 0.1 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * np.arange(LEN) / FS + rng.uniform(0, 6.3))
            x = x + rng.normal(0, 0.05, LEN).astype(np.float32)
        return torch.from_numpy(x.astype(np.float32)).unsqueeze(0), int(self.y[i])


train_loader = DataLoader(Strips(X_tr, y_tr, True), batch_size=64, shuffle=True)
val_loader = DataLoader(Strips(X_va, y_va, False), batch_size=300)


class RhythmNet(nn.Module):
    def __init__(self):
        super().__init__()
        def block(i, o, k):
            return nn.Sequential(nn.Conv1d(i, o, k, padding=k // 2), nn.BatchNorm1d(o), nn.ReLU(), nn.MaxPool1d(2))
        self.features = nn.Sequential(block(1, 12, 9), block(12, 24, 7), block(24, 32, 5), block(32, 48, 5))
        self.fc = nn.Linear(48 * 2, len(CLASSES))

    def forward(self, x):
        h = self.features(x)
        return self.fc(torch.cat([h.mean(-1), h.amax(-1)], 1))


model = RhythmNet()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
EMA_DECAY = 0.98

optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[6, 9], gamma=0.3)


@torch.no_grad()
def update_ema(step):
    decay = min(EMA_DECAY, (1 + step) / (10 + step))
    msd = model.state_dict()
    for name, v in ema.state_dict().items():
        if v.dtype.is_floating_point:
            v.mul_(decay).add_(msd[name], alpha=1 - decay)
        else:
            v.copy_(msd[name])


@torch.no_grad()
def accuracy(net):
    net.eval()
    correct = 0
    for xb, yb in val_loader:
        correct += (net(xb).argmax(1) == yb).sum().item()
    return correct / len(y_va)


step = 0
for epoch in range(1, 11):
    model.train()
    for xb, yb in train_loader:
        loss = F.cross_entropy(model(xb), yb, label_smoothing=0.1)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        update_ema(step)
        step += 1
    scheduler.step()
    if epoch % 2 == 0:
        print(f"epoch {epoch:2d}  loss {loss.item():.3f}  val acc {accuracy(model):.4f}  ema val acc {accuracy(ema):.4f}")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "rhythmnet_ema.pt")
    torch.save(ema, path)
    exported = torch.load(path, weights_only=False)

print(f"baseline (majority class) accuracy {np.bincount(y_va).max() / len(y_va):.4f}")
print(f"final val accuracy (exported EMA model) {accuracy(exported):.4f}")
