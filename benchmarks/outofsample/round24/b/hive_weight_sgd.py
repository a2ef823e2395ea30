"""Apiary scale network: tomorrow's hive weight change (kg) from weather and colony state.

Each row is one hive-day from the load-cell scales under 60 hives: the day's
weather, season, colony strength from the last inspection and today's change.
Most days move a few hundred grams; swarms and strong nectar flows give rare
multi-kilogram days, so the network is fitted with a Huber loss. The update is
written out by hand (plain minibatch SGD with weight decay, no optimizer
object); evaluation sums the per-sample losses and divides by the count once.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

SEED = 8
FEATURES = ["t_max_c", "rain_mm", "sun_h", "wind_ms", "doy_sin", "doy_cos",
            "frames_of_bees", "brood_frames", "supers_on", "today_kg"]


def scale_log(n, rng):
    doy = rng.integers(60, 300, n)
    season = np.sin(np.pi * (doy - 60) / 240)
    tmax = 8 + 18 * season + rng.normal(0, 4, n)
    rain = np.maximum(0, rng.gamma(0.6, 4.0, n) - 1.0)
    sun = np.clip(14 * season * rng.beta(2, 2, n) - 0.4 * rain, 0, 15)
    wind = rng.gamma(2.0, 1.8, n)
    frames = np.clip(rng.normal(7 + 4 * season, 2.0), 1, 20)
    brood = np.clip(frames * rng.uniform(0.3, 0.7, n), 0.5, None)
    supers = (frames > 9).astype(float) + (frames > 14)
    flow = np.clip(tmax - 13, 0, None) * sun / 40 * frames / 10 * (1 - np.exp(-rain.clip(0, 5) - 0.3))
    base = 0.6 * flow - 0.08 * rain - 0.02 * wind - 0.05 * (tmax < 10) * frames / 5
    today = base + rng.normal(0, 0.15, n)
    tomorrow = 0.8 * base + 0.25 * today + rng.standard_t(3, n) * 0.12
    swarm = (rng.random(n) < 0.03 * (brood > 5) * (season > 0.6))
    tomorrow = tomorrow - swarm * rng.uniform(1.5, 3.5, n)
    X = np.column_stack([tmax, rain, sun, wind, np.sin(2 * np.pi * doy / 365), np.cos(2 * np.pi * doy / 365),
                         frames, brood, supers, today]).astype(np.float32)
    return X, tomorrow.astype(np.float32)


def main():
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    X, y = scale_log(5000, rng)
    X_tr, y_tr, X_va, y_va = X[:4000], y[:4000], X[4000:], y[4000:]
    print(f"target kg: median {np.median(y_tr):.3f}  p1 {np.percentile(y_tr, 1):.2f}  "
          f"p99 {np.percentile(y_tr, 99):.2f}  min {y_tr.min():.2f}")

    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr = torch.from_numpy((X_tr - mu) / sd)
    X_va = torch.from_numpy((X_va - mu) / sd)
    y_tr, y_va = torch.from_numpy(y_tr), torch.from_numpy(y_va)

    model = nn.Sequential(nn.Linear(X_tr.shape[1], 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU(), nn.Linear(48, 1))
    lr, wd, batch, epochs = 0.05, 1e-4, 32, 30

    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(y_tr))
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            loss = F.huber_loss(model(X_tr[idx]).squeeze(1), y_tr[idx], delta=0.5)
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * (p.grad + wd * p)
        if epoch % 5 == 4 or epoch == epochs - 1:
            model.eval()
            with torch.no_grad():
                pred = model(X_va).squeeze(1)
                huber_sum = F.huber_loss(pred, y_va, delta=0.5, reduction="sum")
                abs_sum = (pred - y_va).abs().sum()
            print(f"epoch {epoch + 1:2d}  train_huber {loss.item():.4f}  "
                  f"val_huber {huber_sum.item() / len(y_va):.4f}  val_mae {abs_sum.item() / len(y_va):.4f}")

    base_mae = (y_va - y_tr.median()).abs().mean().item()
    print(f"final val MAE={abs_sum.item() / len(y_va):.4f} kg (median-only baseline {base_mae:.4f} kg)")


if __name__ == "__main__":
    main()
