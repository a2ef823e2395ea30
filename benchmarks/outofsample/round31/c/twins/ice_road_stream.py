"""Go / restricted / closed calls for an ice road, trained on a crossing simulator.

The simulator draws crossings (ice thickness and quality, recent air temperature, snow
load, truck weight and speed, water depth under the route) and labels each with the
bearing-capacity rule the road authority uses (Gold's formula with a dynamic factor for
speeds near the shallow-water critical speed). Training streams fresh simulated crossings;
validation is a fixed set of logged crossings.
"""
import math
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset

CALLS = ["go", "restricted", "closed"]


def simulate(n, rng):
    h = rng.gamma(5.0, 9.0, size=n)                     # cm of ice
    quality = rng.beta(5, 2, size=n)                     # 1 = clear black ice, 0 = slushy white
    t_air = rng.normal(-18, 9, size=n)                   # 3-day mean, deg C
    snow = rng.exponential(12, size=n)                   # cm
    weight = rng.uniform(5, 65, size=n)                  # t gross
    speed = rng.uniform(5, 40, size=n)                   # km/h
    depth = rng.lognormal(1.3, 0.6, size=n)              # m of water under the route
    a = 3.5 + 3.5 * quality - 0.12 * np.clip(t_air + 5, 0, None) - 0.02 * snow
    capacity = np.clip(a, 0.5, None) * (h / 10) ** 2     # t
    v_crit = np.sqrt(9.81 * depth) * 3.6                 # km/h
    dyn = 1 + 0.8 * np.exp(-((speed - v_crit) / 6) ** 2)
    load = weight * dyn / capacity * np.exp(rng.normal(0, 0.12, size=n))
    y = np.digitize(load, [0.55, 1.0])
    X = np.column_stack([h, quality, t_air, snow, weight, speed, depth])
    return X.astype(np.float32), y


CAL = simulate(20000, np.random.default_rng(99))[0]
MU, SD = CAL.mean(0), CAL.std(0)


class CrossingStream(IterableDataset):
    def __init__(self, seed, chunk=512):
        self.seed, self.chunk = seed, chunk

    def __iter__(self):
        rng = np.random.default_rng(self.seed)
        while True:
            X, y = simulate(self.chunk, rng)
            X = (X - MU) / SD
            for i in range(self.chunk):
                yield torch.from_numpy(X[i]), int(y[i])


def main():
    torch.manual_seed(11)
    steps, batch_size = 1500, 64
    train_loader = DataLoader(CrossingStream(seed=2024), batch_size=batch_size)
    Xv, yv = simulate(3000, np.random.default_rng(7))
    Xv, yv = torch.from_numpy((Xv - MU) / SD), torch.from_numpy(yv)

    model = nn.Sequential(
        nn.Linear(7, 128), nn.GELU(),
        nn.Linear(128, 128), nn.GELU(),
        nn.Linear(128, len(CALLS)),
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / 100) * 0.5 * (1 + math.cos(math.pi * s / steps)))
    criterion = nn.CrossEntropyLoss()

    train_iter = iter(train_loader)
    model.train()
    for step in range(1, steps + 1):
        xb, yb = next(train_iter)
        loss = criterion(model(xb), yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % 300 == 0:
            model.eval()
            with torch.no_grad():
                acc = (model(Xv).argmax(1) == yv).float().mean().item()
            model.train()
            print(f"step {step:5d}  train loss {loss.item():.4f}  val acc {acc:.3f}")

    path = os.path.join(tempfile.mkdtemp(), "ice_road_mlp.pt")
    torch.save(model, path)
    deployed = torch.load(path, weights_only=False)
    deployed.eval()
    with torch.no_grad():
        pred = deployed(Xv).argmax(1)
    acc = (pred == yv).float().mean().item()
    recall = [((pred == c) & (yv == c)).sum().item() / max(1, (yv == c).sum().item()) for c in range(3)]
    print(f"final val accuracy {acc:.3f}  balanced accuracy {np.mean(recall):.3f}")


if __name__ == "__main__":
    main()
