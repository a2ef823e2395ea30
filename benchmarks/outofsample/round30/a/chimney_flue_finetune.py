"""Chimney sweeping: classify flue-camera tiles from a new inspection camera.

Four classes seen from inside a flue liner: 0 clean, 1 light soot, 2 glazed creosote,
3 obstruction (nest/debris). A small CNN is first trained on many tiles from the old camera,
then fine-tuned on 240 labelled tiles from the new camera (different gain and blur): the
convolutional stem is frozen and kept in eval mode, the last block and head are fine-tuned at a
small LR with label smoothing, and the best epoch on a held-out new-camera split is kept.
"""
import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(9)
np.random.seed(9)

S = 20


def tiles(n, rng, gain=1.0, blur=0):
    yy, xx = np.mgrid[0:S, 0:S] / (S - 1) - 0.5
    r = np.sqrt(xx ** 2 + yy ** 2)
    y = rng.integers(0, 4, n)
    img = 0.6 - 0.5 * r[None] + rng.normal(0, 0.3, (n, S, S))
    for i in range(n):
        if y[i] == 1:
            img[i] -= rng.uniform(0.1, 0.25) * (rng.random((S, S)) < 0.35)
        elif y[i] == 2:
            ang = rng.uniform(0, np.pi)
            img[i] += 0.2 * np.cos(18 * (xx * np.cos(ang) + yy * np.sin(ang))) * (r < 0.45)
        elif y[i] == 3:
            cx, cy = rng.uniform(-0.2, 0.2, 2)
            img[i] -= 0.3 * (np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) < rng.uniform(0.12, 0.22))
    if blur:
        k = np.ones(blur) / blur
        img = np.apply_along_axis(lambda v: np.convolve(v, k, mode="same"), 2, img)
    img = gain * img
    return img[:, None].astype(np.float32), y.astype(np.int64)


rng = np.random.default_rng(9)
Xold, yold = tiles(3000, rng)
Xnew, ynew = tiles(640, rng, gain=1.3, blur=2)
mu, sd = Xold.mean(), Xold.std()
Xold, Xnew = (Xold - mu) / sd, (Xnew - mu) / sd
ft_train = TensorDataset(torch.from_numpy(Xnew[:240]), torch.from_numpy(ynew[:240]))
ft_val = TensorDataset(torch.from_numpy(Xnew[240:400]), torch.from_numpy(ynew[240:400]))
ft_test = TensorDataset(torch.from_numpy(Xnew[400:]), torch.from_numpy(ynew[400:]))


class FlueNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2))
        self.block = nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                                   nn.AdaptiveAvgPool2d(2))
        self.head = nn.Linear(128, 4)

    def forward(self, x):
        return self.head(self.block(self.stem(x)).flatten(1))


def accuracy(net, ds):
    net.eval()
    with torch.no_grad():
        X, y = ds.tensors
        return (net(X).argmax(1) == y).float().mean().item()


model = FlueNet()
# stage 1: old-camera tiles
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
loader = DataLoader(TensorDataset(torch.from_numpy(Xold), torch.from_numpy(yold)), batch_size=64, shuffle=True)
for epoch in range(3):
    model.train()
    for xb, yb in loader:
        opt.zero_grad()
        nn.functional.cross_entropy(model(xb), yb).backward()
        opt.step()
print(f"pretrained: new-camera test acc before fine-tuning {accuracy(model, ft_test):.4f}")

# stage 2: fine-tune on the new camera, stem frozen in eval mode
for p in model.stem.parameters():
    p.requires_grad_(False)
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3e-4)
loader = DataLoader(ft_train, batch_size=16, shuffle=True)
best_acc, best_state = -1.0, None
for epoch in range(1, 13):
    model.train()
    model.stem.eval()
    for xb, yb in loader:
        opt.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        opt.step()
    val_acc = accuracy(model, ft_val)
    if val_acc > best_acc:
        best_acc, best_state = val_acc, copy.deepcopy(model.state_dict())
    print(f"fine-tune epoch {epoch:2d}  loss {loss.item():.4f}  val_acc {val_acc:.4f}")

model.load_state_dict(best_state)
print(f"final new-camera test_acc {accuracy(model, ft_test):.4f}  (best val_acc {best_acc:.4f})")
