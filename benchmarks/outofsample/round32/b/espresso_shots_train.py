"""Flag bad espresso shots from the machine's group-head log.

A café chain logs pressure (bar), flow (ml/s) and puck temperature at 10 Hz for the
first 20 s of every shot. Baristas mark shots as good, channeled (pressure dips while
flow spikes) or choked (pressure pegged, almost no flow). Bad shots are rare, so the
loss is class-weighted; a 1-D CNN with BatchNorm, cosine decay, gradient clipping,
and an EMA copy of the weights that is what gets evaluated and shipped.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score
from torch.utils.data import DataLoader, TensorDataset

T = 200
CLASSES = ["good", "channeled", "choked"]


def shot_log(n, rng):
    y = rng.choice(3, n, p=[0.82, 0.11, 0.07])
    t = np.arange(T)[None, :] / 10.0
    ramp = rng.uniform(3.0, 6.0, (n, 1))
    target = rng.uniform(8.5, 9.5, (n, 1))
    pressure = target * (1 - np.exp(-t / ramp * 2.5))
    flow = rng.uniform(1.6, 2.4, (n, 1)) * (1 - np.exp(-np.clip(t - ramp, 0, None) / 2.0))
    ch = y == 1
    burst = np.zeros((ch.sum(), T))
    for k in range(3):
        at = rng.uniform(6, 19, (ch.sum(), 1))
        burst += (rng.random((ch.sum(), 1)) < 0.8) * np.exp(-0.5 * ((t - at) / 0.4) ** 2)
    pressure[ch] -= burst * rng.uniform(0.6, 1.4, (ch.sum(), 1))
    flow[ch] += burst * rng.uniform(0.3, 0.8, (ch.sum(), 1))
    ck = y == 2
    pressure[ck] = np.minimum(pressure[ck] * rng.uniform(1.0, 1.08, (ck.sum(), 1)), 11.0)
    flow[ck] *= rng.uniform(0.6, 0.85, (ck.sum(), 1))
    temp = 93.0 + rng.normal(0, 0.6, (n, 1)) - 0.05 * t
    x = np.stack([pressure + rng.normal(0, 0.5, pressure.shape),
                  flow + rng.normal(0, 0.35, flow.shape),
                  temp + rng.normal(0, 0.2, temp.shape)], axis=1)
    return x.astype(np.float32), y.astype(np.int64)


class ShotNet(nn.Module):
    def __init__(self, c_in=3, n_cls=3):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(c_in, 24, 7, padding=3), nn.BatchNorm1d(24), nn.ReLU(), nn.MaxPool1d(3),
            nn.Conv1d(24, 48, 5, padding=2), nn.BatchNorm1d(48), nn.ReLU(), nn.MaxPool1d(3),
            nn.Conv1d(48, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
        )
        self.head = nn.Linear(64, n_cls)

    def forward(self, x):
        h = self.features(x)
        return self.head(h.mean(-1))


@torch.no_grad()
def update_ema(ema, model, decay=0.98):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def predict(model, loader):
    model.eval()
    return torch.cat([model(xb).argmax(1) for xb, _ in loader]).numpy()


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(21)
    X, y = shot_log(2600, rng)
    X_tr, y_tr, X_va, y_va = X[:2000], y[:2000], X[2000:], y[2000:]
    mu = X_tr.mean(axis=(0, 2), keepdims=True)
    sd = X_tr.std(axis=(0, 2), keepdims=True)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=64, shuffle=True, drop_last=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=200)

    counts = np.bincount(y_tr, minlength=3)
    weights = torch.tensor(len(y_tr) / (3 * counts), dtype=torch.float32)
    print("train class counts", counts.tolist(), "weights", [round(w, 2) for w in weights.tolist()])

    model = ShotNet()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    criterion = nn.CrossEntropyLoss(weight=weights)
    epochs = 10
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs, eta_min=1e-4)

    for epoch in range(epochs):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
            update_ema(ema, model)
            running += loss.item()
        scheduler.step()
        ema.eval()
        with torch.no_grad():
            val_loss = sum(F.cross_entropy(ema(xb), yb, weight=weights, reduction="sum").item()
                           for xb, yb in val_loader) / len(y_va)
        bacc = balanced_accuracy_score(y_va, predict(ema, val_loader))
        print(f"epoch {epoch + 1:2d}  train {running / len(train_loader):.4f}  val {val_loss:.4f}  bal-acc {bacc:.3f}")

    path = os.path.join(tempfile.mkdtemp(), "shotnet_ema.pt")
    torch.save(ema, path)
    shipped = torch.load(path, weights_only=False)
    print(f"final: val balanced accuracy {balanced_accuracy_score(y_va, predict(shipped, val_loader)):.3f}")


if __name__ == "__main__":
    main()
