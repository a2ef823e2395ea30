"""Oyster farm: forecast next fortnight's shell growth (mm) for each bag on the trestles.

Growth is heavy-tailed: most bags add a millimetre or two, but spawning weeks, storms
that knock bags about and algal blooms give occasional large values in either direction.
So: targets robust-scaled (median / IQR), Huber loss, AdamW with a one-cycle schedule
stepped per batch, and an EMA copy of the weights that is what we actually ship
(saved whole with torch.save and re-loaded by the farm's scoring job).

    python oyster_bag_growth.py
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 21
CONT = ["water_temp_c", "salinity_psu", "chl_a_ug_l", "turbidity_ntu", "oysters_per_bag",
        "shell_len_mm", "days_since_turn", "tide_exposure_h"]
POSITIONS = ["upper", "middle", "lower"]          # bag position on the trestle, one-hot


def farm_records(n, rng):
    temp = rng.normal(15, 4, n)
    sal = rng.normal(30, 3, n)
    chl = rng.lognormal(1.0, 0.6, n)
    turb = rng.lognormal(1.5, 0.5, n)
    density = rng.uniform(80, 250, n)
    length = rng.uniform(20, 80, n)
    turned = rng.uniform(0, 30, n)
    exposure = rng.uniform(1, 6, n)
    pos = rng.integers(0, 3, n)
    growth = (0.12 * (temp - 10) * (chl / (chl + 2.5)) * 3.0
              - 0.006 * (density - 150) - 0.02 * np.abs(sal - 29)
              - 0.15 * (exposure - 3) * (pos == 0) + 0.25 * (pos == 2)
              + 0.6 * np.exp(-length / 40) - 0.01 * turned - 0.05 * np.log(turb))
    growth += 0.35 * rng.standard_t(df=2.0, size=n)             # storms, spawning, blooms
    X = np.column_stack([temp, sal, chl, turb, density, length, turned, exposure])
    onehot = np.eye(3)[pos]
    return X.astype(np.float32), onehot.astype(np.float32), growth.astype(np.float32)


def main():
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    Xc, Xp, y = farm_records(4000, rng)
    tr, va, te = np.split(rng.permutation(len(y)), [2800, 3400])

    mu, sd = Xc[tr].mean(0), Xc[tr].std(0)
    X = np.concatenate([(Xc - mu) / sd, Xp], axis=1)     # one-hot left as 0/1
    y_med = float(np.median(y[tr]))
    y_iqr = float(np.subtract(*np.percentile(y[tr], [75, 25])))
    ys = ((y - y_med) / y_iqr).astype(np.float32)

    to_t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
    train_loader = DataLoader(TensorDataset(to_t(X[tr]), to_t(ys[tr])), batch_size=64, shuffle=True)
    val_x, val_y = to_t(X[va]), to_t(y[va])

    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(),
                          nn.Linear(64, 1))
    ema = copy.deepcopy(model).requires_grad_(False)
    decay = 0.99
    epochs = 25
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * len(train_loader))
    loss_fn = nn.HuberLoss(delta=1.0)

    def mae_mm(net, x, y_mm):
        net.eval()
        with torch.no_grad():
            pred = net(x).squeeze(1) * y_iqr + y_med
        return (pred - y_mm).abs().mean().item()

    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            loss = loss_fn(model(xb).squeeze(1), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.lerp_(pm, 1 - decay)
        if epoch % 5 == 4:
            print(f"epoch {epoch + 1}: train_huber {loss.item():.4f} "
                  f"val_mae_mm model {mae_mm(model, val_x, val_y):.4f} ema {mae_mm(ema, val_x, val_y):.4f}")

    path = os.path.join(tempfile.mkdtemp(), "oyster_growth_ema.pt")
    torch.save(ema, path)
    shipped = torch.load(path, weights_only=False)
    test_mae = mae_mm(shipped, to_t(X[te]), to_t(y[te]))
    baseline = np.abs(y[te] - y_med).mean()
    print(f"test MAE {test_mae:.4f} mm (median-growth baseline {baseline:.4f} mm)")


if __name__ == "__main__":
    main()
