"""Gearbox condition monitoring: classify 1-second vibration windows into 4 states.

Six channels per window (tri-axial accelerometers on the input and output shaft housings),
256 samples each. A 1-D CNN with per-channel input standardisation baked into the model,
so the exported module can be fed raw sensor counts.
"""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

STATES = ["healthy", "inner_race", "outer_race", "gear_tooth"]
FS, T, CHANNELS = 2048, 256, 6


def record_windows(n_per_state, seed):
    """Simulated housings: shaft harmonics + state-specific impulse trains + noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(T) / FS
    X, y = [], []
    for label in range(len(STATES)):
        for _ in range(n_per_state):
            shaft = rng.uniform(24, 30)
            w = np.zeros((CHANNELS, T))
            for c in range(CHANNELS):
                gain = rng.uniform(0.7, 1.3)
                w[c] = gain * (np.sin(2 * np.pi * shaft * t + rng.uniform(0, 6))
                               + 0.4 * np.sin(2 * np.pi * 2 * shaft * t + rng.uniform(0, 6)))
                w[c] += rng.normal(0, 0.6, T)
            if label > 0:
                rate = {1: 5.4, 2: 3.6, 3: 1.0}[label] * shaft
                period = int(FS / rate)
                start = rng.integers(0, period)
                ring = np.exp(-np.arange(24) / 4.0) * np.sin(2 * np.pi * np.arange(24) / 6.0)
                affected = [0, 1, 2] if label in (1, 2) else [3, 4, 5]
                for c in affected:
                    amp = rng.uniform(0.9, 1.6)
                    for k in range(start, T - 24, period):
                        w[c, k:k + 24] += amp * ring
            X.append(w)
            y.append(label)
    X = np.stack(X).astype(np.float32)
    # 16-bit ADC counts around mid-scale, per-channel sensitivity from the rig sheet
    counts_per_g = np.array([800.0, 800.0, 760.0, 820.0, 790.0, 0.0])[None, :, None]
    X = np.round(X * counts_per_g + 32768)
    return X.astype(np.float32), np.array(y)


class InputStandardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean.view(1, -1, 1))
        self.register_buffer("std", std.view(1, -1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


class VibrationNet(nn.Module):
    def __init__(self, mean, std, n_classes=4):
        super().__init__()
        self.norm = InputStandardize(mean, std)
        self.features = nn.Sequential(
            nn.Conv1d(CHANNELS, 32, 9, padding=4), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 7, padding=3), nn.BatchNorm1d(64), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(64, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
        )
        self.classifier = nn.Linear(64, n_classes)

    def forward(self, x):
        h = self.features(self.norm(x))
        return self.classifier(h.mean(-1))


def main():
    torch.manual_seed(1)
    X_train, y_train = record_windows(160, seed=11)
    X_val, y_val = record_windows(40, seed=12)
    X_train, y_train = torch.from_numpy(X_train), torch.from_numpy(y_train)
    X_val, y_val = torch.from_numpy(X_val), torch.from_numpy(y_val)

    ch_mean = X_train.mean(dim=(0, 2))
    ch_std = X_train.std(dim=(0, 2))
    model = VibrationNet(ch_mean, ch_std)

    train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=128)

    epochs = 8
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, epochs=epochs,
                                                steps_per_epoch=len(train_loader))
    for epoch in range(epochs):
        model.train()
        tot, n = 0.0, 0
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(yb)
            n += len(yb)
        model.eval()
        correct = 0
        with torch.no_grad():
            for xb, yb in val_loader:
                correct += (model(xb).argmax(1) == yb).sum().item()
        acc = correct / len(val_loader.dataset)
        print(f"epoch {epoch + 1}/{epochs}  train loss {tot / n:.4f}  val acc {acc:.4f}")
    print(f"final val accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
