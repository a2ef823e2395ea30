"""Mobile windscreen-repair job duration (minutes from booking slot to car handed back).

Scheduling wants a per-job estimate to text customers.  Durations are
heavy-tailed: most jobs are a chip filled on the driveway, a few turn into a
full replacement with camera (ADAS) recalibration, or a second van and a long
rural drive.  Targets are centred/scaled robustly (median / IQR) and trained with a
Huber loss so the long jobs do not dominate; warm-up then cosine decay, stepped
per batch; gradient clipping kept as insurance.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

JOBS = ["chip", "crack", "screen", "rear_screen", "side_glass", "screen_adas", "sunroof", "heated_screen"]


def job_log(n, rng):
    job = rng.choice(len(JOBS), n, p=[0.3, 0.22, 0.06, 0.1, 0.12, 0.1, 0.05, 0.05])
    van_km = rng.gamma(2.0, 9.0, n)
    hour = rng.uniform(0, 24, n)
    rain = rng.binomial(1, 0.25, n)
    rural = rng.binomial(1, 0.35, n)
    fleet = rng.binomial(1, 0.2, n)
    vehicle_age = rng.gamma(2.5, 3.0, n)
    temp_c = rng.normal(12, 8, n)
    fit_base = np.array([18, 25, 15, 12, 35, 55, 60, 40])[job]
    redo = rng.random(n) < np.array([0.03, 0.05, 0.01, 0.0, 0.2, 0.45, 0.6, 0.3])[job] * (1 + 0.03 * vehicle_age)
    travel = van_km * (1.0 + 1.5 * rural) * (1.0 + 0.6 * rain) + 8 * fleet
    rush = 12 * (np.exp(-((hour - 8.5) ** 2) / 2) + np.exp(-((hour - 17.5) ** 2) / 2))
    cold_cure = 25 * (job == 0) * (temp_c < 2)
    minutes = (travel + rush + cold_cure + fit_base * rng.lognormal(0, 0.25, n)
               + redo * rng.lognormal(np.log(70), 0.6, n) * (1 + rural))
    cont = np.column_stack([van_km, np.sin(2 * math.pi * hour / 24), np.cos(2 * math.pi * hour / 24),
                            vehicle_age, temp_c])
    binary = np.column_stack([rain, rural, fleet, np.eye(len(JOBS))[job]])
    return cont.astype(np.float32), binary.astype(np.float32), minutes.astype(np.float32)


def main():
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    cont, binary, minutes = job_log(5000, rng)
    idx = rng.permutation(len(minutes))
    tr, va = idx[:4000], idx[4000:]
    c_mu, c_sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - c_mu) / c_sd, binary], axis=1)
    med = np.median(minutes[tr])
    iqr = np.subtract(*np.percentile(minutes[tr], [75, 25]))
    y = ((minutes - med) / iqr).astype(np.float32)
    print(f"train minutes: median {med:.1f} p99 {np.percentile(minutes[tr], 99):.1f} max {minutes[tr].max():.1f}")

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=500)

    model = nn.Sequential(nn.Linear(X.shape[1], 96), nn.SiLU(), nn.Linear(96, 96), nn.SiLU(), nn.Linear(96, 1))
    criterion = nn.HuberLoss(delta=1.0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    epochs = 12
    total = epochs * len(train_loader)
    warmup = int(0.05 * total)
    schedule = lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup)))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)

    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad(set_to_none=True)
            loss = criterion(model(xb).squeeze(1), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()

        model.eval()
        huber_sum, abs_err_min, n = 0.0, 0.0, 0
        with torch.no_grad():
            for xb, yb in val_loader:
                pred = model(xb).squeeze(1)
                huber_sum += nn.functional.huber_loss(pred, yb, delta=1.0, reduction="sum").item()
                abs_err_min += ((pred - yb).abs() * iqr).sum().item()
                n += len(yb)
        if epoch % 3 == 2:
            print(f"epoch {epoch + 1:2d} val_huber {huber_sum / n:.4f} val_mae {abs_err_min / n:.2f} min")

    baseline = np.abs(minutes[va] - med).mean()
    print(f"final val_huber {huber_sum / n:.4f} val_mae_minutes {abs_err_min / n:.2f} (median-guess mae {baseline:.2f})")


if __name__ == "__main__":
    main()
