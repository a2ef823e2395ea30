"""Predict ice-sheet deflection under a loaded truck on a winter ice road.

Crossing logs: which road segment, ice thickness, air temperature history, load, speed, snow
cover. Each segment has its own (unmeasured) ice quality, so it gets a learned embedding.
Trained with a small hand-written SGD loop (no torch.optim) as in the fleet's older tooling.
"""
import math

import numpy as np
import torch
import torch.nn as nn

N_SEGMENTS = 48
EPOCHS = 25
BATCH = 64
LR = 0.05
SEGMENT_LR_SCALE = 100.0


def crossing_logs(n, rng):
    seg_quality = rng.normal(0.0, 1.0, N_SEGMENTS)
    seg = rng.integers(0, N_SEGMENTS, n)
    thickness = rng.uniform(45, 110, n)                 # cm
    air_temp = rng.uniform(-38, -4, n)                  # C, 72 h mean
    days_since_flood = rng.integers(0, 40, n)
    load_t = rng.uniform(8, 64, n)                      # tonnes
    speed = rng.uniform(10, 35, n)                      # km/h
    snow = rng.uniform(0, 40, n)                        # cm
    quality = seg_quality[seg]
    eff_thick = thickness * (1 + 0.11 * quality) - 0.15 * snow * (air_temp > -12)
    deflect = (6.0 * load_t / (eff_thick / 50.0) ** 2
               * (1 + 0.012 * (air_temp + 20)) * (1 + 0.01 * np.maximum(speed - 20, 0))
               * (1 - 0.004 * days_since_flood))
    deflect = deflect * np.exp(rng.normal(0, 0.06, n))
    num = np.stack([thickness, air_temp, days_since_flood, load_t, speed, snow], 1)
    return seg.astype(np.int64), num.astype(np.float32), deflect.astype(np.float32)


class DeflectionNet(nn.Module):
    def __init__(self, n_num):
        super().__init__()
        self.segment = nn.Embedding(N_SEGMENTS, 6)
        self.body = nn.Sequential(nn.Linear(n_num + 6, 64), nn.Tanh(),
                                  nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 1))

    def forward(self, seg, num):
        return self.body(torch.cat([self.segment(seg), num], 1)).squeeze(1)


def main():
    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    seg, num, y = crossing_logs(3000, rng)
    idx = rng.permutation(len(y))
    tr, va = idx[:2400], idx[2400:]
    mu, sd = num[tr].mean(0), num[tr].std(0)
    num = (num - mu) / sd
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    t = (y - y_mu) / y_sd

    seg_t, num_t, t_t = map(torch.from_numpy, (seg, num, t))
    model = DeflectionNet(num.shape[1])
    loss_fn = nn.MSELoss()

    for epoch in range(EPOCHS):
        model.train()
        perm = torch.from_numpy(tr[rng.permutation(len(tr))])
        running = 0.0
        for i in range(0, len(perm), BATCH):
            b = perm[i:i + BATCH]
            loss = loss_fn(model(seg_t[b], num_t[b]), t_t[b])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for name, p in model.named_parameters():
                    step = LR * SEGMENT_LR_SCALE if name.startswith("segment") else LR
                    p -= step * p.grad
            running += loss.item() * len(b)
        if epoch % 5 == 4:
            print(f"epoch {epoch + 1}: train mse {running / len(tr):.4f}")

    model.eval()
    with torch.no_grad():
        vb = torch.from_numpy(va)
        pred = model(seg_t[vb], num_t[vb]) * y_sd + y_mu
        true = torch.from_numpy(y[va])
        rmse = math.sqrt(((pred - true) ** 2).mean().item())
        r2 = 1 - ((pred - true) ** 2).sum().item() / ((true - true.mean()) ** 2).sum().item()
    print(f"val rmse={rmse:.3f} mm  val r2={r2:.4f}")


if __name__ == "__main__":
    main()
