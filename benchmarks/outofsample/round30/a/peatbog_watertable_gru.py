"""Peat bogs: classify restoration trajectory from a year of daily water-table logs.

Each dipwell gives 240 days of water-table depth (cm below surface), rainfall and air
temperature. Label: 0 recovering (rewetting after ditch blocking), 1 stable, 2 degrading
(drainage still active). A GRU reads the whole season; gradients are clipped as routine
insurance, the LR warms up then follows a cosine, and an EMA copy of the weights is what
gets saved and scored.
"""
import copy
import math
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2)
np.random.seed(2)

T = 240


def dipwells(n, rng):
    t = np.arange(T)
    y = rng.integers(0, 3, n)
    rain = rng.gamma(0.6, 4.0, (n, T)) * (rng.random((n, T)) < 0.45)
    temp = 8 + 7 * np.sin(2 * np.pi * (t - 100) / 365)[None, :] + rng.normal(0, 2, (n, T))
    wt = np.zeros((n, T))
    level = rng.normal(-12, 4, n)
    trend = np.array([0.05, 0.0, -0.04])[y] + rng.normal(0, 0.01, n)
    drain = np.array([0.6, 1.0, 2.0])[y] * rng.uniform(0.8, 1.2, n)
    for d in range(T):
        et = 0.08 * np.clip(temp[:, d], 0, None)
        level = level + 0.9 * rain[:, d] - et - drain * np.clip(level + 15, 0, None) * 0.04 + trend
        level = np.minimum(level, 2.0)
        wt[:, d] = level + rng.normal(0, 0.6, n)
    X = np.stack([wt, rain, temp], 2)
    return X.astype(np.float32), y.astype(np.int64)


rng = np.random.default_rng(2)
X, y = dipwells(1500, rng)
Xtr, ytr, Xte, yte = X[:1200], y[:1200], X[1200:], y[1200:]
mu, sd = Xtr.reshape(-1, 3).mean(0), Xtr.reshape(-1, 3).std(0)
Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=50, shuffle=True)
test_loader = DataLoader(TensorDataset(torch.from_numpy(Xte), torch.from_numpy(yte)), batch_size=300)


class BogGRU(nn.Module):
    def __init__(self, n_in=3, hidden=32, n_cls=3):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(2 * hidden, 32), nn.ReLU(), nn.Linear(32, n_cls))

    def forward(self, x):
        out, h = self.gru(x)
        feats = torch.cat([h[-1], out.mean(1)], dim=1)
        return self.head(feats)


model = BogGRU()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)
ema_decay = 0.95

epochs = 8
steps = epochs * len(train_loader)
warmup = 15
optimizer = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (steps - warmup))))
criterion = nn.CrossEntropyLoss()


def evaluate(net, loader):
    net.eval()
    loss_sum, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = net(xb)
            loss_sum += nn.functional.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return loss_sum / n, correct / n


for epoch in range(1, epochs + 1):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(ema_decay).add_(pm, alpha=1 - ema_decay)
    te_loss, te_acc = evaluate(ema, test_loader)
    print(f"epoch {epoch}  lr {scheduler.get_last_lr()[0]:.5f}  train_loss {loss.item():.4f}  "
          f"ema_test_loss {te_loss:.4f}  ema_test_acc {te_acc:.4f}")

path = os.path.join(tempfile.mkdtemp(), "bog_gru_ema.pt")
torch.save(ema, path)
restored = torch.load(path, weights_only=False)
te_loss, te_acc = evaluate(restored, test_loader)
print(f"final test_loss {te_loss:.4f}  test_acc {te_acc:.4f}")
