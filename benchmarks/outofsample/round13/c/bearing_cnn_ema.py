"""Rolling-bearing condition monitoring from vibration snippets (1-D CNN).

Training recipe: random circular shift + gain jitter + noise as augmentation, AdamW with a
one-cycle schedule stepped per batch, and an exponential moving average of the weights that is
the model we ship (saved whole with torch.save and reloaded for the final evaluation).
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

CONDITIONS = ["healthy", "inner_race", "outer_race", "ball", "misalignment"]
FS, N = 2000, 256


def synth_vibration(n_per_class=360, seed=1):
    rng = np.random.default_rng(seed)
    t = np.arange(N) / FS
    X, y = [], []
    for c, name in enumerate(CONDITIONS):
        for _ in range(n_per_class):
            shaft = rng.uniform(24, 30)                     # Hz
            x = 0.5 * np.sin(2 * np.pi * shaft * t + rng.uniform(0, 6.3))
            if name in ("inner_race", "outer_race", "ball"):
                f_def = shaft * {"inner_race": 5.4, "outer_race": 3.6, "ball": 2.3}[name]
                period = int(FS / f_def)
                start = rng.integers(period)
                for k in range(start, N, period):
                    ring = np.exp(-np.arange(N - k) / 6.0) * np.sin(2 * np.pi * 480 * np.arange(N - k) / FS)
                    x[k:] += rng.uniform(0.6, 1.0) * ring
            elif name == "misalignment":
                x += 0.45 * np.sin(2 * np.pi * 2 * shaft * t + rng.uniform(0, 6.3))
            x += rng.normal(0, 0.3, size=N)
            X.append(x)
            y.append(c)
    X = np.array(X, dtype=np.float32)[:, None, :]
    y = np.array(y, dtype=np.int64)
    p = rng.permutation(len(y))
    return X[p], y[p]


class VibNet(nn.Module):
    def __init__(self, n_classes=len(CONDITIONS)):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(1, 16, 9, padding=4), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, n_classes),
        )

    def forward(self, x):
        return self.net(x)


def augment(x):
    shift = torch.randint(0, N, (1,)).item()
    x = torch.roll(x, shifts=shift, dims=-1)
    x = x * torch.empty(x.shape[0], 1, 1).uniform_(0.8, 1.2)
    return x + 0.05 * torch.randn_like(x)


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct, total = 0, 0
    for xb, yb in loader:
        correct += (model(xb).argmax(1) == yb).sum().item()
        total += len(yb)
    return correct / total


def main():
    torch.manual_seed(0)
    X, y = synth_vibration()
    n_tr = 1400
    scale = X[:n_tr].std()
    X = X / scale
    train_loader = DataLoader(TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])), batch_size=200)

    model = VibNet()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    decay = 0.97
    epochs = 12
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=epochs, steps_per_epoch=len(train_loader))
    criterion = nn.CrossEntropyLoss()

    for epoch in range(1, epochs + 1):
        model.train()
        tot, n = 0.0, 0
        for xb, yb in train_loader:
            optimizer.zero_grad(set_to_none=True)
            loss = criterion(model(augment(xb)), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
                for be, bm in zip(ema.buffers(), model.buffers()):
                    be.copy_(bm)
            tot += loss.item() * len(yb)
            n += len(yb)
        print(f"epoch {epoch} train loss {tot / n:.4f} val acc {evaluate(model, val_loader):.4f} "
              f"ema val acc {evaluate(ema, val_loader):.4f}")

    path = os.path.join(tempfile.mkdtemp(), "bearing_ema.pt")
    torch.save(ema, path)
    shipped = torch.load(path, weights_only=False)
    print(f"final: val acc (shipped EMA model) {evaluate(shipped, val_loader):.4f} raw model {evaluate(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
