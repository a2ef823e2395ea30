"""Track cycling: predict flying-lap time on a 250 m velodrome from the rider's telemetry.

Rows are laps from training sessions: mean power, cadence, gear development (metres per crank turn),
rider mass, track air temperature and pressure, lap index within the effort, gap to the
wheel in front (drafting) and line height on the banking. The power meter drops out on a
few laps.
"""
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FEATURES = ["power_w", "cadence_rpm", "gear_m", "mass_kg", "air_temp_c",
            "pressure_hpa", "lap_idx", "gap_m", "line_height_m"]


def load_sessions(n, rng):
    power = rng.normal(520, 90, n).clip(250, 900)
    cadence = rng.normal(112, 8, n)
    chainring = rng.choice([56, 58, 60, 62], n).astype(float)
    sprocket = rng.choice([14, 15, 16], n).astype(float)
    mass = rng.normal(76, 7, n)
    temp = rng.normal(24, 3, n)
    pressure = rng.normal(1008, 9, n)
    lap = rng.integers(1, 9, n).astype(float)
    gap = rng.exponential(4.0, n).clip(0.3, 25)
    line = rng.uniform(0.0, 1.2, n)
    gear = chainring / sprocket * 2.105                                 # metres per crank turn
    speed = 0.0185 * cadence * gear * 60 / 3.6
    draft = 0.06 * np.exp(-gap / 3.0)
    p_need = (power / mass) ** (1 / 3) * (1 + draft) * (1 + 0.002 * (temp - 24)) * (1 - 0.0006 * (pressure - 1008))
    lap_time = 250 / (speed / 3.6) * (1.0 + 0.015 * line) / (0.72 + 0.1 * p_need) + 0.05 * lap
    lap_time += rng.normal(0, 0.12, n)
    X = np.column_stack([power, cadence, gear, mass, temp, pressure, lap, gap, line])
    dropout = rng.random(n) < 0.04
    X[dropout, 0] = np.nan
    return X.astype(np.float32), lap_time.astype(np.float32)


class LapModel(nn.Module):
    def __init__(self, d_in, width=96):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, width), nn.SiLU(),
            nn.Linear(width, width), nn.SiLU(),
            nn.Linear(width, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def rmse_seconds(model, loader, y_std):
    model.eval()
    sq, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            sq += ((model(xb) - yb) ** 2).sum().item()
            n += len(yb)
    return (sq / n) ** 0.5 * y_std


def main():
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    X, y = load_sessions(5000, rng)
    perm = rng.permutation(len(X))
    tr, va, te = perm[:3600], perm[3600:4300], perm[4300:]

    mu, sd = np.nanmean(X[tr], axis=0), np.nanstd(X[tr], axis=0)
    X = (X - mu) / sd
    X = np.nan_to_num(X, nan=0.0)
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    y = (y - y_mu) / y_sd

    def loader(ix, shuffle, bs=64):
        ds = TensorDataset(torch.from_numpy(X[ix]), torch.from_numpy(y[ix]))
        return DataLoader(ds, batch_size=bs, shuffle=shuffle)

    train_loader, val_loader, test_loader = loader(tr, True), loader(va, False, 256), loader(te, False, 256)

    model = LapModel(X.shape[1])
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=6, gamma=0.3)
    loss_fn = nn.MSELoss()

    for epoch in range(1, 19):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        scheduler.step()
        if epoch % 3 == 0:
            print(f"epoch {epoch:2d}  lr {scheduler.get_last_lr()[0]:.1e}  "
                  f"val RMSE {rmse_seconds(model, val_loader, y_sd):.3f} s")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "lap_model.pt")
        torch.save(model, path)
        exported = torch.load(path, weights_only=False)
    print(f"test RMSE {rmse_seconds(exported, test_loader, y_sd):.4f} s "
          f"(target std {y_sd:.3f} s)")


if __name__ == "__main__":
    main()
