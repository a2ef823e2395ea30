"""Quarry blast monitoring: classify 3-axis geophone records (1 s at 256 Hz) at the site
boundary as a clean blast, a blast with a delayed/misfired hole, an over-confined blast, or
a non-blast event (truck, crusher). 1-D CNN with waveform augmentation and early stopping."""
import copy

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(4)
np.random.seed(4)
torch.set_num_threads(1)

CLASSES = ["clean", "delayed_hole", "overconfined", "non_blast"]
FS, T = 256, 256


def geophone_records(n, rng):
    t = np.arange(T) / FS
    y = rng.integers(0, len(CLASSES), n)
    X = np.zeros((n, 3, T), dtype=np.float32)
    for i in range(n):
        onset = rng.uniform(0.05, 0.25)
        sig = np.zeros((3, T))
        if y[i] == 3:
            f0 = rng.uniform(8, 20)
            env = np.clip((t - onset) / 0.3, 0, 1) * np.exp(-np.clip(t - onset - 0.3, 0, None) / 0.4)
            sig += np.sin(2 * np.pi * f0 * t + rng.uniform(0, 6.28, (3, 1))) * env * rng.uniform(0.3, 1.0)
        else:
            n_holes = rng.integers(6, 12)
            delay = rng.uniform(0.017, 0.025)
            f0 = rng.uniform(25, 45) if y[i] != 2 else rng.uniform(12, 22)
            amp = rng.uniform(0.6, 1.2) * (2.2 if y[i] == 2 else 1.0)
            for h in range(n_holes):
                th = onset + h * delay + (0.09 if (y[i] == 1 and h == n_holes // 2) else 0.0)
                if y[i] == 1 and h > n_holes // 2:
                    th += 0.09
                env = (t >= th) * np.exp(-np.clip(t - th, 0, None) / 0.045)
                sig += amp / n_holes * 3 * env * np.sin(2 * np.pi * f0 * (t - th) + rng.uniform(0, 6.28, (3, 1)))
        sig *= rng.uniform(0.5, 1.5, (3, 1))                                   # coupling per axis
        X[i] = sig + rng.normal(0, 0.08, (3, T))
    return X, y


class Records(Dataset):
    def __init__(self, X, y, augment=False, seed=0):
        self.X, self.y, self.augment = torch.from_numpy(X), torch.from_numpy(y), augment
        self.gen = torch.Generator().manual_seed(seed)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.augment:
            shift = int(torch.randint(-20, 21, (1,), generator=self.gen))
            x = torch.roll(x, shift, dims=-1)
            x = x * (0.8 + 0.4 * torch.rand(1, generator=self.gen))
            x = x + 0.03 * torch.randn(x.shape, generator=self.gen)
        return x, self.y[i]


class BlastNet(nn.Module):
    def __init__(self, n_classes=len(CLASSES)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(3, 16, 9, padding=4), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
        )
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        h = self.features(x)
        return self.fc(torch.cat([h.mean(-1), h.amax(-1)], dim=1))


def evaluate(model, loader):
    model.eval()
    total_loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total_loss += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return total_loss / n, correct / n


def main():
    rng = np.random.default_rng(4)
    X, y = geophone_records(2000, rng)
    scale = float(X[:1500].std())                                       # one global amplitude scale
    X = X / scale
    train_dl = DataLoader(Records(X[:1500], y[:1500], augment=True, seed=4), batch_size=32, shuffle=True)
    val_dl = DataLoader(Records(X[1500:], y[1500:]), batch_size=200)

    model = BlastNet()
    epochs = 12
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, epochs=epochs, steps_per_epoch=len(train_dl))
    best, best_state, patience, bad = float("inf"), None, 4, 0
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
        val_loss, val_acc = evaluate(model, val_dl)
        print(f"epoch {epoch + 1:2d}  val loss {val_loss:.4f}  val acc {val_acc:.4f}")
        if val_loss < best - 1e-4:
            best, best_state, bad = val_loss, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad >= patience:
                print(f"early stop after epoch {epoch + 1}")
                break
    model.load_state_dict(best_state)
    val_loss, val_acc = evaluate(model, val_dl)
    print(f"best val loss {val_loss:.4f}  val accuracy {val_acc:.4f}")


if __name__ == "__main__":
    main()
