"""Heartbeat morphology classifier: 1-D CNN on single-lead beat windows, with an EMA copy for eval."""
import copy
import math
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
np.random.seed(3)
CLASSES = ["N", "PVC", "RBBB", "APC"]
L = 160


def gauss(t, mu, sig, a):
    return a * np.exp(-0.5 * ((t - mu) / sig) ** 2)


def beat(k, rng):
    t = np.arange(L, dtype=np.float64)
    c = 80 + rng.normal(0, 3)
    hr = rng.uniform(0.85, 1.15)
    p = gauss(t, c - 28 * hr, 4, rng.uniform(0.1, 0.2))
    qrs = gauss(t, c - 3, 2, -0.15) + gauss(t, c, 2.5, rng.uniform(0.9, 1.3)) + gauss(t, c + 4, 2.5, -0.25)
    tw = gauss(t, c + 35 * hr, 8, rng.uniform(0.2, 0.35))
    if k == 1:                                  # wide bizarre QRS, no P, inverted T
        p = 0 * t
        qrs = gauss(t, c, 7, rng.uniform(1.1, 1.6)) + gauss(t, c + 9, 6, -0.5)
        tw = gauss(t, c + 38 * hr, 10, -rng.uniform(0.25, 0.45))
    elif k == 2:                                # rsR' notch
        qrs = qrs + gauss(t, c + 7, 2.5, rng.uniform(0.45, 0.75))
    elif k == 3:                                # early, abnormal P
        p = gauss(t, c - 18 * hr, 3.5, -rng.uniform(0.08, 0.18))
    wander = 0.15 * np.sin(2 * np.pi * t / L * rng.uniform(0.2, 1.0) + rng.uniform(0, 6.3))
    return (p + qrs + tw + wander + rng.normal(0, 0.05, L)).astype(np.float32)


def dataset(n, rng):
    y = rng.choice(4, n, p=[0.4, 0.2, 0.2, 0.2])
    X = np.stack([beat(k, rng) for k in y])[:, None, :]
    X = (X - X.mean(-1, keepdims=True)) / (X.std(-1, keepdims=True) + 1e-6)
    return torch.tensor(X), torch.tensor(y)


class BeatCNN(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.AdaptiveAvgPool1d(1))
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def accuracy(model, loader):
    model.eval()
    hits = n = 0
    for xb, yb in loader:
        hits += (model(xb).argmax(1) == yb).sum().item()
        n += len(yb)
    return hits / n


def main():
    rng = np.random.default_rng(3)
    Xtr, ytr = dataset(2000, rng)
    Xva, yva = dataset(600, rng)
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=200)

    x, y = next(iter(train_loader))
    print("batch", tuple(x.shape), "labels", torch.bincount(y, minlength=4).tolist())

    model = BeatCNN()
    ema = copy.deepcopy(model)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    epochs = 6
    total = epochs * len(train_loader)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / total)))
    step = 0
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            ema_update(ema, model, decay=min(0.99, (1 + step) / (10 + step)))
            step += 1
        print(f"epoch {epoch} loss {loss.item():.4f} val_acc {accuracy(model, val_loader):.4f} "
              f"ema_val_acc {accuracy(ema, val_loader):.4f}")
    print(f"final ema_val_acc={accuracy(ema, val_loader):.4f}")


if __name__ == "__main__":
    main()
