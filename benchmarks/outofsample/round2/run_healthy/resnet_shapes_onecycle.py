import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)

S = 16
yy, xx = np.mgrid[0:S, 0:S]
CLASSES = ["disc", "square", "hbar", "vbar", "cross", "ring"]


def draw(kind):
    cx, cy = rng.uniform(5, 11, 2)
    r = rng.uniform(2.5, 4.5)
    if kind == 0:
        m = (xx - cx) ** 2 + (yy - cy) ** 2 <= r ** 2
    elif kind == 1:
        m = (np.abs(xx - cx) <= r * 0.8) & (np.abs(yy - cy) <= r * 0.8)
    elif kind == 2:
        m = (np.abs(xx - cx) <= r) & (np.abs(yy - cy) <= 1)
    elif kind == 3:
        m = (np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= 1)
    elif kind == 4:
        m = ((np.abs(xx - cx) <= r) & (np.abs(yy - cy) <= 0.8)) | ((np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= 0.8))
    else:
        d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
        m = (d <= r) & (d >= r - 1.3)
    img = m.astype(np.float32) * rng.uniform(0.6, 1.0) + rng.normal(0, 0.15, (S, S))
    return img


def make(n):
    y = rng.integers(0, len(CLASSES), n)
    X = np.stack([draw(k) for k in y])[:, None].astype(np.float32)
    return X, y


Xtr, ytr = make(4800)
Xva, yva = make(1200)
mean, std = Xtr.mean(), Xtr.std()
Xtr, Xva = (Xtr - mean) / std, (Xva - mean) / std

train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=256)


class Block(nn.Module):
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


class SmallResNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.layers = nn.Sequential(Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2))
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


model = SmallResNet(len(CLASSES))
EPOCHS = 5
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, epochs=EPOCHS, steps_per_epoch=len(train_dl))
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

for epoch in range(EPOCHS):
    model.train()
    run = 0.0
    for xb, yb in train_dl:
        if torch.rand(()) < 0.5:
            xb = xb.flip(-1)
        loss = criterion(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        run += loss.item() * len(yb)
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in val_dl:
            correct += (model(xb).argmax(1) == yb).sum().item()
    acc = correct / len(yva)
    print(f"epoch {epoch + 1}/{EPOCHS} train_loss {run / len(ytr):.4f} val_acc {acc:.4f} lr {sched.get_last_lr()[0]:.5f}")

print(f"final val accuracy {acc:.4f}")
