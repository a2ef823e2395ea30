"""Cable-car cabin monitoring: classify 3-axis accelerometer windows recorded as a
cabin passes a tower into normal / rope sway / sheave wear / grip slip / gust buffeting.

GRU over the full 160-sample window.  A short length curriculum (the first two epochs
see only the last 64 samples of each window, then the whole window), linear warm-up into
cosine decay stepped per batch, and gradient-norm clipping, as is usual for RNNs.
"""
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(3)
np.random.seed(3)
T, FS = 160, 50.0
LABELS = ["normal", "rope_sway", "sheave_wear", "grip_slip", "gust"]


def window(rng, c):
    t = np.arange(T) / FS
    base = rng.normal(0, 0.08, (T, 3))
    base[:, 2] += 0.15 * np.sin(2 * math.pi * rng.uniform(2.5, 3.5) * t + rng.uniform(0, 6.28))
    if c == 1:   # slow pendulum sway, mostly lateral
        f = rng.uniform(0.3, 0.6)
        base[:, 0] += rng.uniform(0.25, 0.5) * np.sin(2 * math.pi * f * t + rng.uniform(0, 6.28))
    elif c == 2:  # periodic impacts from a worn sheave liner
        period = int(rng.integers(18, 30))
        for k in range(int(rng.integers(0, period)), T, period):
            base[k:k + 3, 2] += np.array([0.35, -0.25, 0.1])[: len(base[k:k + 3])]
    elif c == 3:  # one or two longitudinal jerks when the grip slips on the rope
        for _ in range(int(rng.integers(1, 3))):
            k = int(rng.integers(10, T - 20))
            base[k:k + 12, 1] += 0.6 * np.exp(-np.arange(12) / 3.0) * np.sign(rng.normal())
    elif c == 4:  # broadband buffeting that comes and goes
        env = np.clip(np.convolve(rng.normal(0, 1, T), np.ones(25) / 5, mode="same"), 0, None)
        base += env[:, None] * rng.normal(0, 0.12, (T, 3))
    return base


def make(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(LABELS), n)
    X = np.stack([window(rng, c) for c in y]).astype(np.float32)
    return X, y


class CabinGRU(nn.Module):
    def __init__(self, hidden=40, n_classes=5):
        super().__init__()
        self.rnn = nn.GRU(3, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x):
        out, h = self.rnn(x)
        pooled = torch.cat([h[-1], out.amax(dim=1)], dim=1)
        return self.head(pooled)


def main():
    Xtr, ytr = make(960, 10)
    Xva, yva = make(300, 20)
    sd = Xtr.reshape(-1, 3).std(0)
    Xtr, Xva = Xtr / sd, Xva / sd
    train_ds = TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr))
    val_ds = TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva))
    train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=150)

    model = CabinGRU()
    epochs = 8
    total = epochs * len(train_loader)
    warm = len(train_loader)
    optimizer = torch.optim.Adam(model.parameters(), lr=4e-3)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm))))
    criterion = nn.CrossEntropyLoss()

    for epoch in range(epochs):
        crop = 64 if epoch < 2 else T
        model.train()
        tot, n = 0.0, 0
        for xb, yb in train_loader:
            xb = xb[:, -crop:]
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            tot += loss.item() * len(yb)
            n += len(yb)
        model.eval()
        correct = 0
        with torch.no_grad():
            for xb, yb in val_loader:
                correct += (model(xb).argmax(1) == yb).sum().item()
        print(f"epoch {epoch + 1} crop {crop} train_loss {tot / n:.4f} val_acc {correct / len(yva):.4f}")
    print(f"final val_acc {correct / len(yva):.4f}")


if __name__ == "__main__":
    main()
