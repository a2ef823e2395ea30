"""Bearing condition monitoring: classify vibration snippets (healthy / inner race / outer race / ball fault).

1D CNN with BatchNorm, random-crop + gain + noise augmentation, label smoothing, OneCycle LR stepped
per batch, an EMA copy of the weights used for evaluation and saved as a whole model.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

FS, RAW_LEN, CROP = 2048, 640, 512
CLASSES = ["healthy", "inner", "outer", "ball"]


def simulate(n, rng):
    t = np.arange(RAW_LEN) / FS
    y = rng.integers(0, 4, n)
    X = np.empty((n, RAW_LEN), np.float32)
    fault_hz = {1: 162.0, 2: 107.0, 3: 141.0}
    for i, c in enumerate(y):
        shaft = 29.0 * rng.uniform(0.95, 1.05)
        sig = 0.5 * np.sin(2 * np.pi * shaft * t + rng.uniform(0, 6.3))
        if c:
            period = 1.0 / (fault_hz[int(c)] * rng.uniform(0.97, 1.03))
            phase = (t + rng.uniform(0, period)) % period
            ring = np.exp(-phase * 400) * np.sin(2 * np.pi * 700 * phase)
            if c == 1:
                ring *= 1 + 0.6 * np.sin(2 * np.pi * shaft * t)
            sig += rng.uniform(0.5, 1.0) * ring
        X[i] = sig + rng.normal(0, 0.35, RAW_LEN)
    return X, y


class Snippets(Dataset):
    def __init__(self, X, y, train):
        self.X, self.y, self.train = torch.from_numpy(X), torch.from_numpy(y), train

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.train:
            s = int(torch.randint(0, RAW_LEN - CROP + 1, (1,)))
            x = x[s:s + CROP] * (0.8 + 0.4 * torch.rand(1)) + 0.05 * torch.randn(CROP)
        else:
            s = (RAW_LEN - CROP) // 2
            x = x[s:s + CROP]
        return x.unsqueeze(0), self.y[i]


def conv_block(cin, cout, k):
    return nn.Sequential(nn.Conv1d(cin, cout, k, padding=k // 2, bias=False), nn.BatchNorm1d(cout),
                         nn.ReLU(), nn.MaxPool1d(4))


class VibNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(conv_block(1, 16, 15), conv_block(16, 32, 9), conv_block(32, 48, 5))
        self.head = nn.Linear(48, len(CLASSES))

    def forward(self, x):
        return self.head(self.features(x).mean(-1))


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    hits, n = 0, 0
    for xb, yb in loader:
        hits += (model(xb).argmax(1) == yb).sum().item()
        n += len(yb)
    return hits / n


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X_tr, y_tr = simulate(1200, rng)
    X_va, y_va = simulate(400, rng)
    scale = X_tr.std()
    X_tr, X_va = X_tr / scale, X_va / scale
    train_dl = DataLoader(Snippets(X_tr, y_tr, True), batch_size=32, shuffle=True)
    val_dl = DataLoader(Snippets(X_va, y_va, False), batch_size=200)

    model = VibNet()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    epochs = 8
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, epochs=epochs, steps_per_epoch=len(train_dl))
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss = criterion(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(0.95).add_(pm, alpha=0.05)
                for be, bm in zip(ema.buffers(), model.buffers()):
                    be.copy_(bm)
        print(f"epoch {epoch + 1} loss {loss.item():.4f} val_acc {evaluate(model, val_dl):.4f} "
              f"ema_val_acc {evaluate(ema, val_dl):.4f}")

    path = os.path.join(tempfile.mkdtemp(), "vibnet_ema.pt")
    torch.save(ema, path)
    served = torch.load(path, weights_only=False)
    print(f"final val_acc (EMA, reloaded) {evaluate(served, val_dl):.4f}")


if __name__ == "__main__":
    main()
