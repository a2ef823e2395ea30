"""Ice-sculpture events: how long will a carved piece keep its fine detail on display?

Each record is one sculpture at one event: site weather, sun and wind exposure, block
properties and carving detail. The target is log-hours until the first detail loss that the
carver logged (fins, feathers, lettering). Used to schedule touch-ups and replacement blocks.
"""
import argparse

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

COLUMNS = ["air_temp_c", "rel_humidity", "sun_index", "wind_ms", "clarity", "block_kg",
           "detail_score", "base_area", "shade_frac", "dew_point_c", "floor_temp_c", "crowd_per_h"]


def event_log(n, rng):
    Z = rng.normal(size=(n, 12))
    air = 4 + 5 * Z[:, 0]
    rh = 60 + 12 * Z[:, 1]
    sun = 420 + 150 * Z[:, 2]
    wind = 3.5 + 1.1 * Z[:, 3]
    clarity = 0.7 + 0.1 * Z[:, 4]
    mass = 120 + 25 * Z[:, 5]
    detail = 5 + 2 * Z[:, 6]
    base = 0.5 + 0.1 * Z[:, 7]
    shade = 0.5 + 0.2 * Z[:, 8]
    dew = -2 + 3 * Z[:, 9]
    floor = 10 + 3 * Z[:, 10]
    crowd = 200 + 60 * Z[:, 11]
    log_h = (np.sin(1.5 * Z[:, 0]) + 0.7 * Z[:, 1] * Z[:, 2] + np.abs(Z[:, 3]) - 0.5 * Z[:, 4] ** 2
             + 0.3 * Z[:, 5] + np.tanh(2 * Z[:, 6] * Z[:, 7]) + np.cos(Z[:, 8] + Z[:, 9])
             + 0.5 * np.maximum(Z[:, 10], 0) * Z[:, 11] + rng.normal(0, 0.1, n))
    X = np.stack([air, rh, sun, wind, clarity, mass, detail, base, shade, dew, floor, crowd], 1)
    return X.astype(np.float32), (1.2 + 0.35 * log_h).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = event_log(3000, rng)
    Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]
    x_mu, x_sd = Xtr.mean(0), Xtr.std(0)
    y_mu, y_sd = ytr.mean(), ytr.std()
    Xtr, Xva = (Xtr - x_mu) / x_sd, (Xva - x_mu) / x_sd
    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy((ytr - y_mu) / y_sd)),
                          batch_size=args.batch_size, shuffle=True)
    Xva_t, yva_t = torch.from_numpy(Xva), torch.from_numpy((yva - y_mu) / y_sd)

    model = nn.Sequential(
        nn.Linear(len(COLUMNS), 32), nn.ReLU(),
        nn.Linear(32, 32), nn.ReLU(),
        nn.Linear(32, 32), nn.ReLU(),
        nn.Linear(32, 1),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.MSELoss()

    for epoch in range(args.epochs):
        model.train()
        running = 0.0
        for xb, yb in train_dl:
            optimizer.zero_grad()
            loss = loss_fn(model(xb).squeeze(-1), yb)
            loss.backward()
            optimizer.step()
            running += loss.item()
        model.eval()
        with torch.no_grad():
            val_mse = loss_fn(model(Xva_t).squeeze(-1), yva_t).item()
        if epoch % 5 == 4 or epoch == 0:
            print(f"epoch {epoch + 1:2d} train_mse {running / len(train_dl):.4f} val_mse {val_mse:.4f}")

    with torch.no_grad():
        pred = model(Xva_t).squeeze(-1).numpy() * y_sd + y_mu
    rmse = float(np.sqrt(np.mean((pred - yva) ** 2)))
    r2 = 1 - np.sum((pred - yva) ** 2) / np.sum((yva - yva.mean()) ** 2)
    print(f"val RMSE {rmse:.4f} log-hours  R2 {r2:.4f}")


if __name__ == "__main__":
    main()
