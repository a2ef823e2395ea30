"""Material classifier for the MRF's optical/eddy-current sorting line.

Trains on the per-item records the line controller writes (one dict of columns per shift export)
and saves the whole model for the line PC.
Usage: python mrf_sorter.py [--epochs 20] [--out DIR]
"""
import argparse
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

MATERIALS = ["PET", "HDPE", "PP", "glass", "aluminium", "steel", "cardboard", "paper", "residual"]


def shift_export(n, seed):
    """Columns as the controller writes them, one entry per item that passed the camera."""
    rng = np.random.default_rng(seed)
    m = rng.choice(len(MATERIALS), size=n, p=[.16, .10, .07, .12, .08, .07, .17, .15, .08])
    density = np.array([1.38, 0.95, 0.91, 2.5, 2.7, 7.8, 0.7, 0.8, 1.1])[m] * rng.lognormal(0, 0.35, n)
    volume = rng.lognormal(np.array([6.0, 6.5, 5.5, 5.8, 5.2, 5.9, 7.0, 5.0, 6.0])[m], 0.6)
    mass = density * volume * rng.lognormal(0, 0.1, n)
    hue = (np.array([200, 30, 90, 120, 0, 0, 35, 50, 280])[m] + rng.normal(0, 80, n)) % 360
    sat = np.clip(np.array([.2, .5, .6, .4, .1, .1, .5, .1, .5])[m] + rng.normal(0, .25, n), 0, 1)
    lum = np.clip(np.array([.7, .6, .5, .5, .8, .4, .5, .85, .4])[m] + rng.normal(0, .22, n), 0, 1)
    transp = np.clip(np.array([.7, .1, .2, .6, 0, 0, 0, 0, .1])[m] + rng.normal(0, .22, n), 0, 1)
    eddy = np.array([0, 0, 0, 0, 1.0, .4, 0, 0, .1])[m] + rng.normal(0, .3, n)
    magnet = np.array([0, 0, 0, 0, 0, 1.0, 0, 0, .1])[m] + rng.normal(0, .35, n)
    knock_hz = np.array([900, 700, 650, 2400, 1500, 1800, 300, 250, 600])[m] * rng.lognormal(0, .5, n)
    aspect = np.array([2.2, 1.6, 1.4, 2.0, 1.8, 1.2, 3.0, 4.0, 2.0])[m] * rng.lognormal(0, .35, n)
    # pneumatic ejector pulse length (controller log)
    air_pulse_ms = np.array([8, 9, 7, 14, 6, 12, 10, 5, 11])[m] + rng.normal(0, 0.15, n)
    return {
        "item_id": np.arange(n),
        "log_mass": np.log(mass), "log_volume": np.log(volume),
        "hue_sin": np.sin(np.radians(hue)), "hue_cos": np.cos(np.radians(hue)),
        "saturation": sat, "luminance": lum, "transparency": transp,
        "eddy_current": eddy, "magnetic": magnet, "log_knock_hz": np.log(knock_hz),
        "aspect": np.log(aspect), "air_pulse_ms": air_pulse_ms,
        "material": m,
    }


def to_tensors(log, cols, mu=None, sd=None):
    X = np.column_stack([log[c] for c in cols]).astype(np.float32)
    if mu is None:
        mu, sd = X.mean(0), X.std(0)
    return torch.from_numpy((X - mu) / sd), torch.from_numpy(log["material"]).long(), mu, sd


class Sorter(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, 128), nn.GELU(), nn.Dropout(0.2), nn.Linear(128, 64), nn.GELU(),
                                 nn.Linear(64, n_out))

    def forward(self, x):
        return self.net(x)


def evaluate(model, loader):
    model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            total += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return total / n, correct / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--out", default=tempfile.gettempdir())
    args = ap.parse_args()
    torch.manual_seed(5)

    train_log = shift_export(3000, seed=1)        # day shifts
    val_log = shift_export(1000, seed=2)          # night shift
    feature_cols = [c for c in train_log if c not in ("item_id", "material", "air_pulse_ms")]
    Xtr, ytr, mu, sd = to_tensors(train_log, feature_cols)
    Xva, yva, _, _ = to_tensors(val_log, feature_cols, mu, sd)

    train_dl = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(Xva, yva), batch_size=500)
    model = Sorter(len(feature_cols), len(MATERIALS))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.05)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for xb, yb in train_dl:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            running += loss.item() * len(yb)
        sched.step()
        if epoch % 5 == 0 or epoch == args.epochs:
            val_loss, val_acc = evaluate(model, val_dl)
            print(f"epoch {epoch:3d}  train_loss {running / len(Xtr):.4f}  val_loss {val_loss:.4f}  val_acc {val_acc:.4f}")

    torch.save({"model": model, "features": feature_cols, "mu": mu, "sd": sd},
               os.path.join(args.out, "mrf_sorter.pt"))
    print(f"final val accuracy {val_acc:.4f}")


if __name__ == "__main__":
    main()
