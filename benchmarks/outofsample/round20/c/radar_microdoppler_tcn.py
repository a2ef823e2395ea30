"""Radar target classification (drone, bird, pedestrian, vehicle) from micro-Doppler frames.

Each track is a (30 x frames) matrix: a 28-bin Doppler spectrum (dB) per frame plus the
tracker's radial-velocity estimate and RCS (dBsm). Spectra are simulated per target class:
body line, rotor flashes, wing beats, limb swing, wheel sidebands, with per-site ground
clutter and noise floor. Tracks are held out by site. A small temporal CNN with BatchNorm;
the best epoch is kept with torch.save and reloaded for the test set.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

N_BINS, T = 28, 64
CLASSES = ["drone", "bird", "pedestrian", "vehicle"]
# body speed (bins), micro-Doppler amplitude (bins), modulation period (frames), RCS (dBsm)
PROFILE = np.array([[4.0, 6.0, 3.0, -14.0],
                    [5.0, 3.5, 9.0, -18.0],
                    [2.0, 4.5, 13.0, -2.0],
                    [7.0, 1.0, 5.0, 8.0]])


def track(clutter, floor, cls):
    speed, amp, period, rcs = PROFILE[cls] * rng.uniform(0.4, 1.6, 4) ** np.array([1, 1, 0.5, 0])
    rcs += rng.normal(0, 9.0)
    sign = rng.choice([-1, 1])
    t = np.arange(T)
    body = N_BINS / 2 + sign * speed + np.cumsum(rng.normal(0, 0.15, T))
    bins = np.arange(N_BINS)[:, None]
    phase = 2 * np.pi * t / period + rng.uniform(0, 6.3)
    if cls == 0:                                   # rotor flashes: broad, short, periodic
        micro = 0.5 * amp * np.exp(-((bins - body) ** 2) / (2 * amp ** 2)) * (np.cos(phase) > 0.6)
    else:                                          # wing / limb / wheel modulation around the body line
        line = body + amp * np.sin(phase)
        micro = 0.6 * np.exp(-((bins - line[None, :]) ** 2) / 2.0)
    spec = (floor + 10 * np.exp(-((bins - body[None, :]) ** 2) / 1.5) * (1 + 0.05 * rcs)
            + 8 * micro + clutter * np.exp(-((bins - N_BINS / 2) ** 2) / 2.0)
            + rng.normal(0, 4.0, (N_BINS, T)))
    vel = (body - N_BINS / 2) + rng.normal(0, 2.0, T)
    rcs_track = rcs + rng.normal(0, 3.0, T)
    return np.vstack([spec, vel[None], rcs_track[None]]).astype(np.float32)


def corpus(n_sites, per_site):
    xs, ys = [], []
    for _ in range(n_sites):
        clutter, floor = rng.uniform(2, 12), rng.normal(0, 2)
        for _ in range(per_site):
            c = rng.integers(4)
            xs.append(track(clutter, floor, c))
            ys.append(c)
    return np.stack(xs), np.array(ys)


x_tr, y_tr = corpus(32, 40)
x_va, y_va = corpus(10, 40)
x_te, y_te = corpus(12, 40)
mean = x_tr.mean(axis=(0, 2), keepdims=True)
std = x_tr.std(axis=(0, 2), keepdims=True)
norm = lambda a: torch.from_numpy((a - mean) / std)

train_loader = DataLoader(TensorDataset(norm(x_tr), torch.from_numpy(y_tr)), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(norm(x_va), torch.from_numpy(y_va)), batch_size=16)
test_loader = DataLoader(TensorDataset(norm(x_te), torch.from_numpy(y_te)), batch_size=16)


class TargetTCN(nn.Module):
    def __init__(self, n_in=30, width=64, n_classes=4):
        super().__init__()
        self.block1 = nn.Sequential(nn.Conv1d(n_in, width, 5, padding=2), nn.BatchNorm1d(width), nn.ReLU())
        self.block2 = nn.Sequential(nn.Conv1d(width, width, 5, padding=4, dilation=2), nn.BatchNorm1d(width),
                                    nn.ReLU())
        self.block3 = nn.Sequential(nn.Conv1d(width, width, 3, padding=4, dilation=4), nn.BatchNorm1d(width),
                                    nn.ReLU())
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(2 * width, n_classes)

    def forward(self, x):
        h = self.block1(x)
        h = self.block2(h) + h
        h = self.block3(h) + h
        pooled = torch.cat([h.mean(dim=2), h.amax(dim=2)], dim=1)
        return self.fc(self.dropout(pooled))


def evaluate(model, loader):
    loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
            n += len(y)
    return loss / n, correct / n


def main():
    model = TargetTCN()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.3)
    ckpt = os.path.join(tempfile.mkdtemp(), "radar_best.pt")
    best = -1.0
    for epoch in range(1, 11):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        scheduler.step()
        val_loss, val_acc = evaluate(model, val_loader)
        print(f"epoch {epoch:2d}  val loss {val_loss:.4f}  val acc {val_acc:.4f}")
        if val_acc > best:
            best = val_acc
            torch.save(model, ckpt)

    model = torch.load(ckpt, weights_only=False)
    test_loss, test_acc = evaluate(model, test_loader)
    print(f"test loss {test_loss:.4f}  test accuracy {test_acc:.4f}")


if __name__ == "__main__":
    main()
