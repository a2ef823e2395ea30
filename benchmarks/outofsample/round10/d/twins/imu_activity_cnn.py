"""Wearable IMU activity recognition: 3-axis accelerometer windows (3 x 96) -> 20 activities.

1-D CNN feature extractor, an embedding layer, a linear classifier on top of the embedding.
Plain loop over shuffled index batches (no DataLoader), AdamW + cosine schedule.
"""
import argparse
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def synth_imu(n, seed, T=96, fs=32.0):
    """Activity = (cadence band, dominant axis mix). Random phase, gain, drift and sensor noise."""
    rng = np.random.default_rng(seed)
    cadences = np.array([0.8, 1.4, 2.0, 2.7, 3.5])          # Hz
    axis_mix = np.array([[1, .2, .1], [.2, 1, .1], [.1, .2, 1], [.7, .7, .2]])
    y = rng.integers(0, 20, n)
    t = np.arange(T) / fs
    X = np.empty((n, 3, T), np.float32)
    for k in range(n):
        f = cadences[y[k] // 4] * rng.uniform(0.9, 1.1)
        mix = axis_mix[y[k] % 4] * rng.uniform(0.7, 1.3, 3)
        ph = rng.uniform(0, 2 * np.pi)
        base = np.sin(2 * np.pi * f * t + ph) + 0.35 * np.sin(4 * np.pi * f * t + 2 * ph)
        drift = rng.normal(scale=0.3, size=(3, 1)) * t / t[-1]
        X[k] = mix[:, None] * base[None] + drift + rng.normal(scale=0.45, size=(3, T))
    return X, y


class ActivityNet(nn.Module):
    def __init__(self, n_classes, emb_dim):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(3, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(64, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.embed = nn.Sequential(nn.Linear(64, emb_dim), nn.ReLU())
        self.classifier = nn.Linear(emb_dim, n_classes)

    def forward(self, x):
        return self.classifier(self.embed(self.features(x)))


def evaluate(model, X, y, bs=512):
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(X), bs):
            out = model(X[i:i + bs])
            loss += F.cross_entropy(out, y[i:i + bs], reduction="sum").item()
            correct += (out.argmax(1) == y[i:i + bs]).sum().item()
    return loss / len(X), correct / len(X)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--bs", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--emb-dim", type=int, default=64)
    args = ap.parse_args()

    torch.manual_seed(0)
    Xtr, ytr = synth_imu(3000, seed=1)
    Xva, yva = synth_imu(1000, seed=2)
    mean = Xtr.mean(axis=(0, 2), keepdims=True)
    std = Xtr.std(axis=(0, 2), keepdims=True)
    Xtr, Xva = (Xtr - mean) / std, (Xva - mean) / std
    Xtr, Xva = torch.from_numpy(Xtr), torch.from_numpy(Xva)
    ytr, yva = torch.from_numpy(ytr), torch.from_numpy(yva)

    model = ActivityNet(20, args.emb_dim)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    g = torch.Generator().manual_seed(0)
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(Xtr), generator=g)
        run = 0.0
        for i in range(0, len(perm), args.bs):
            idx = perm[i:i + args.bs]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            run += loss.item() * len(idx)
        sched.step()
        vl, va = evaluate(model, Xva, yva)
        print(f"epoch {epoch:2d} train_loss {run / len(Xtr):.4f} val_loss {vl:.4f} val_acc {va:.4f}")
    print(f"final val_acc={va:.4f} val_loss={vl:.4f} ({time.time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
