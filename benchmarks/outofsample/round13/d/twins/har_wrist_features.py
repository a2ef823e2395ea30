"""Wrist-worn IMU activity recognition from per-window summary features (acc + gyro, 50 Hz).
The normalisation lives in the model so the exported module is self-contained."""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

ACTIVITIES = ["walk", "upstairs", "downstairs", "sit", "stand", "lie"]
FS, WIN = 50, 128


def record_window(act, rng):
    t = np.arange(WIN) / FS
    step_f = {0: 1.8, 1: 1.6, 2: 2.0}.get(act, 0.0) * rng.uniform(0.8, 1.2)
    grav = {3: [0.3, 0.9, 0.3], 4: [0.0, 1.0, 0.1], 5: [0.95, 0.1, 0.3]}.get(act, [0.1, 0.95, 0.25])
    acc = np.array(grav)[:, None] + rng.normal(0, 0.12, (3, 1)) * np.ones((3, WIN))
    gyro = np.zeros((3, WIN))
    if step_f > 0:
        amp = {0: 0.35, 1: 0.42, 2: 0.5}[act] * rng.uniform(0.7, 1.3)
        ph = rng.uniform(0, 6.3)
        acc[1] += amp * np.sin(2 * np.pi * step_f * t + ph)
        acc[0] += 0.4 * amp * np.sin(2 * np.pi * 2 * step_f * t + ph)
        acc[2] += (0.15 if act == 1 else -0.15 if act == 2 else 0) + 0.1 * np.sin(2 * np.pi * step_f * t)
        gyro[0] += amp * 1.5 * np.sin(2 * np.pi * step_f * t + ph + 0.5)
        gyro[1] += amp * 0.8 * np.cos(2 * np.pi * step_f * t + ph)
    acc += rng.normal(0, 0.15, acc.shape)
    gyro[:2] += rng.normal(0, 0.15, (2, WIN))
    return np.concatenate([acc, gyro])


def features(w):
    spec = np.abs(np.fft.rfft(w - w.mean(1, keepdims=True), axis=1))
    return np.concatenate([w.mean(1), w.std(1), w.min(1), w.max(1), (w ** 2).mean(1),
                           spec[:, 1:12].max(1)])


def build(n, rng):
    y = rng.integers(len(ACTIVITIES), size=n)
    X = np.stack([features(record_window(a, rng)) for a in y]).astype(np.float32)
    return X, y


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean))
        self.register_buffer("std", torch.as_tensor(std))

    def forward(self, x):
        return (x - self.mean) / self.std


def main():
    torch.manual_seed(21)
    rng = np.random.default_rng(21)
    X, y = build(3000, rng)
    n_train = 2400
    X = X[:, X[:n_train].std(0) > 0]
    Xtr, ytr, Xva, yva = X[:n_train], y[:n_train], X[n_train:], y[n_train:]

    model = nn.Sequential(Standardize(Xtr.mean(0), Xtr.std(0)),
                          nn.Linear(X.shape[1], 96), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(96, 48), nn.ReLU(), nn.Linear(48, len(ACTIVITIES)))
    train_loader = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.tensor(Xva), torch.tensor(yva)), batch_size=600)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
    for epoch in range(15):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            running += loss.item() * len(yb)
        model.eval()
        with torch.no_grad():
            xb, yb = next(iter(val_loader))
            out = model(xb)
            vloss = F.cross_entropy(out, yb).item()
            vacc = (out.argmax(1) == yb).float().mean().item()
        sched.step(vloss)
        if epoch % 3 == 2:
            print(f"epoch {epoch + 1:2d} train_loss {running / n_train:.4f} val_loss {vloss:.4f} val_acc {vacc:.4f}")
    print(f"final val_acc={vacc:.4f}")


if __name__ == "__main__":
    main()
