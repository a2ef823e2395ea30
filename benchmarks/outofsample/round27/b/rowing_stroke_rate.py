"""Estimate stroke rate (strokes/min) from a 6 s window of hull accelerometer data.

Boat-mounted IMU at 20 Hz: surge, heave and yaw-rate channels. A GRU reads the whole
window; warm-up then cosine schedule stepped per batch, routine gradient clipping.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

HZ, SECONDS = 20, 6


def windows(n, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(HZ * SECONDS) / HZ
    X = np.zeros((n, HZ * SECONDS, 3), np.float32)
    rate = rng.uniform(18, 40, n)                        # strokes per minute
    for i in range(n):
        f = rate[i] / 60.0
        phase = rng.uniform(0, 2 * np.pi)
        drive = 0.55 + 0.1 * rng.normal()                # drive/recovery ratio changes the wave shape
        ph = (2 * np.pi * f * t + phase) % (2 * np.pi)
        surge = np.where(ph < 2 * np.pi * drive, np.sin(ph / drive / 2), -0.6 * np.sin((ph - 2 * np.pi * drive) / (1 - drive) / 2))
        heave = 0.3 * np.sin(2 * ph + 0.4) 
        yaw = 0.1 * np.sin(2 * np.pi * 0.07 * t + rng.uniform(0, 6))
        X[i, :, 0] = surge * rng.uniform(0.7, 1.4) + rng.normal(0, 0.25, len(t))
        X[i, :, 1] = heave + rng.normal(0, 0.2, len(t))
        X[i, :, 2] = yaw + rng.normal(0, 0.05, len(t))
    return X, rate.astype(np.float32)


class RateGRU(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.gru = nn.GRU(3, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


def main():
    torch.manual_seed(2)
    X, rate = windows(1600, seed=2)
    X_tr, r_tr, X_va, r_va = X[:1280], rate[:1280], X[1280:], rate[1280:]
    ch_mean, ch_std = X_tr.mean((0, 1)), X_tr.std((0, 1))
    r_mean, r_std = r_tr.mean(), r_tr.std()
    norm = lambda a: torch.tensor((a - ch_mean) / ch_std)
    train_loader = DataLoader(TensorDataset(norm(X_tr), torch.tensor((r_tr - r_mean) / r_std)), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(norm(X_va), torch.tensor((r_va - r_mean) / r_std)), batch_size=320)

    model = RateGRU()
    epochs = 14
    total = epochs * len(train_loader)
    warmup = len(train_loader)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))
    criterion = nn.MSELoss()

    for epoch in range(1, epochs + 1):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()

        model.eval()
        sq_err, abs_err, n = 0.0, 0.0, 0
        with torch.no_grad():
            for xb, yb in val_loader:
                pred = model(xb)
                sq_err += nn.functional.mse_loss(pred, yb, reduction="sum").item()
                abs_err += (pred - yb).abs().sum().item() * r_std
                n += len(yb)
        print(f"epoch {epoch:2d}  lr {scheduler.get_last_lr()[0]:.2e}  val mse {sq_err / n:.4f}  val MAE {abs_err / n:.2f} spm")

    print(f"final val MAE: {abs_err / n:.2f} strokes/min (target std {r_std:.2f})")


if __name__ == "__main__":
    main()
