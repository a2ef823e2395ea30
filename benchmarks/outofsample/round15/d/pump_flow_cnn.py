"""Estimate a pump's flow rate from a 2-channel pressure/vibration window with a small 1D CNN.
Flow readings have heavy tails (surges, occasional meter glitches), so the regression uses a
Huber loss on robustly scaled targets. AdamW with linear warm-up then cosine decay, and
gradient-norm clipping as insurance against the surge windows."""
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_windows(n, length=128, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(length) / 128.0
    speed = rng.uniform(0.5, 2.0, n)                    # impeller speed (arbitrary units)
    head = rng.uniform(0.2, 1.0, n)
    flow = 3.0 * speed - 2.0 * head ** 2 + rng.standard_t(df=2.5, size=n) * 0.3
    surge = rng.random(n) < 0.04
    flow[surge] += rng.exponential(4.0, surge.sum())   # surge events
    X = np.empty((n, 2, length), dtype=np.float32)
    for i in range(n):
        blade = 7 * speed[i] * 10
        X[i, 0] = head[i] + 0.15 * speed[i] * np.sin(2 * np.pi * blade * t + rng.uniform(0, 6.3)) \
            + rng.normal(0, 0.05, length)
        X[i, 1] = 0.3 * speed[i] * np.sin(2 * np.pi * (blade / 7) * t) * (1 + 0.5 * surge[i]) \
            + rng.normal(0, 0.1, length)
    return X, flow.astype(np.float32)


class FlowNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(2, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),
        )
        self.head = nn.Linear(32, 1)

    def forward(self, x):
        return self.head(self.features(x).flatten(1)).squeeze(-1)


def main():
    torch.manual_seed(21)
    X, y = make_windows(3000, seed=21)
    Xtr, Xva, ytr, yva = X[:2500], X[2500:], y[:2500], y[2500:]
    ch_mean = Xtr.mean(axis=(0, 2), keepdims=True)
    ch_std = Xtr.std(axis=(0, 2), keepdims=True)
    Xtr, Xva = (Xtr - ch_mean) / ch_std, (Xva - ch_mean) / ch_std
    med = np.median(ytr)
    iqr = np.subtract(*np.percentile(ytr, [75, 25]))
    ytr_s, yva_s = ((ytr - med) / iqr).astype(np.float32), ((yva - med) / iqr).astype(np.float32)

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr_s)),
                              batch_size=64, shuffle=True, drop_last=True)
    Xva_t = torch.from_numpy(Xva)

    model = FlowNet()
    epochs = 8
    total = epochs * len(train_loader)
    warmup = total // 10
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warmup if s < warmup
        else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))
    loss_fn = nn.HuberLoss(delta=1.0)

    for epoch in range(epochs):
        model.train()
        run = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()
            run += loss.item()
        model.eval()
        with torch.no_grad():
            pred = model(Xva_t).numpy() * iqr + med
        mae = np.abs(pred - yva).mean()
        med_ae = np.median(np.abs(pred - yva))
        print(f"epoch {epoch + 1} train_huber {run / len(train_loader):.4f} val_MAE {mae:.3f} val_medAE {med_ae:.3f}")
    base = np.abs(np.median(ytr) - yva).mean()
    print(f"final val_MAE {mae:.3f} (median predictor {base:.3f})")


if __name__ == "__main__":
    main()
