"""Condition monitoring for centrifugal pumps.

Each row is one 10-second window of a test-rig recording, summarised into sensor
deviations from the pump's nominal operating point (pressure and flow in SI units,
vibration band energies in g, temperatures in kelvin). Target: 4 health states.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

FEATURES = [
    ("d_suction_pressure_pa", 900.0),
    ("d_discharge_pressure_pa", 1400.0),
    ("d_flow_m3s", 0.004),
    ("d_speed_rpm", 35.0),
    ("d_motor_current_a", 1.2),
    ("d_bearing_temp_k", 2.5),
    ("d_casing_temp_k", 1.8),
    ("vib_rms_1x_g", 0.015),
    ("vib_rms_2x_g", 0.010),
    ("vib_bpfo_band_g", 0.006),
    ("vib_kurtosis", 0.8),
    ("vib_crest_factor", 0.35),
]


def make_rig_data(n, rng):
    """Four states: healthy, imbalance (1x up), cavitation (suction drop, 2x up), bearing wear (BPFO, kurtosis)."""
    y = rng.integers(0, 4, size=n)
    scales = np.array([s for _, s in FEATURES])
    z = rng.standard_normal((n, len(FEATURES)))
    # operating-point drift shared by the hydraulic channels
    load = rng.standard_normal(n)
    z[:, 0] += 0.8 * load
    z[:, 1] += 0.9 * load
    z[:, 2] += 0.7 * load
    z[:, 4] += 0.6 * load
    sig = np.zeros_like(z)
    sig[y == 1, 7] += 2.2
    sig[y == 1, 4] += 0.5
    sig[y == 2, 0] -= 1.6
    sig[y == 2, 8] += 1.8
    sig[y == 2, 5] += 0.6
    sig[y == 3, 9] += 2.0
    sig[y == 3, 10] += 1.5
    sig[y == 3, 11] += 1.0
    sig[y == 3, 5] += 0.8
    x = (z + sig) * scales
    return x.astype(np.float32), y.astype(np.int64)


class ConditionNet(nn.Module):
    def __init__(self, d_in, n_cls, width=96, p=0.1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, width), nn.ReLU(), nn.Dropout(p),
            nn.Linear(width, width), nn.ReLU(), nn.Dropout(p),
        )
        self.head = nn.Linear(width, n_cls)

    def forward(self, x):
        return self.head(self.body(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3)
    args = ap.parse_args()

    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    X, y = make_rig_data(6000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:4800], idx[4800:]
    Xtr, Xva, ytr, yva = X[tr], X[va], y[tr], y[va]

    mean, std = Xtr.mean(axis=0), Xtr.std(axis=0)
    Xtr = (Xtr - mean) / std
    Xva = (Xva - mean) / std

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)),
                            batch_size=512)

    model = ConditionNet(Xtr.shape[1], 4)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=len(train_loader))

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item() * len(xb)
        model.eval()
        correct, vloss = 0, 0.0
        with torch.no_grad():
            for xb, yb in val_loader:
                out = model(xb)
                vloss += F.cross_entropy(out, yb, reduction="sum").item()
                correct += (out.argmax(1) == yb).sum().item()
        if epoch % 5 == 0 or epoch == 1:
            print(f"epoch {epoch:2d} train_loss {running / len(Xtr):.4f} "
                  f"val_loss {vloss / len(Xva):.4f} val_acc {correct / len(Xva):.4f}")
    print(f"final val_acc {correct / len(Xva):.4f}")


if __name__ == "__main__":
    main()
