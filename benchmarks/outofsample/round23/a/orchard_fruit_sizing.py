"""Harvest fruit-size forecast for an apple orchard block.

Mid-season measurements per tagged tree (fruitlet diameter at 60 DAFB, crop load,
growing degree days, irrigation, leaf nitrogen, canopy light interception ...) are
used to forecast the mean fruit diameter at harvest (mm).  Packhouse grading
depends on this forecast, so we report RMSE in millimetres.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def orchard_trees(n=5000, seed=4):
    rng = np.random.default_rng(seed)
    d60 = rng.normal(38, 4, n)                       # fruitlet diameter at 60 DAFB, mm
    crop_load = rng.gamma(4, 1.6, n)                 # fruit per cm2 trunk cross-section
    gdd = rng.normal(1450, 120, n)
    irrigation = rng.uniform(0.4, 1.1, n)            # fraction of ETc replaced
    leaf_n = rng.normal(2.3, 0.25, n)                # % dry matter
    light = np.clip(rng.beta(5, 3, n), 0.1, 0.95)    # canopy light interception
    tree_age = rng.integers(3, 18, n).astype(float)
    rootstock_vigour = rng.integers(1, 4, n).astype(float)
    thinning_day = rng.normal(35, 7, n)
    rain = rng.gamma(3, 30, n)
    water = np.minimum(irrigation + rain / 400, 1.2)
    size = (
        d60 * 1.55
        + 9.0 * np.tanh((water - 0.7) * 4)
        - 2.2 * np.log1p(crop_load) * (1.2 - light)
        + 0.012 * (gdd - 1450)
        - 3.5 * (leaf_n - 2.4) ** 2
        - 0.09 * np.maximum(thinning_day - 35, 0) ** 1.3
        + 1.2 * rootstock_vigour * (tree_age < 6)
        + rng.normal(0, 1.4, n)
    )
    X = np.stack([d60, crop_load, gdd, irrigation, leaf_n, light, tree_age,
                  rootstock_vigour, thinning_day, rain], 1).astype(np.float32)
    return X, size.astype(np.float32)


def main():
    torch.manual_seed(2024)
    X, y = orchard_trees()
    n_train = 4000
    x_mu, x_sd = X[:n_train].mean(0), X[:n_train].std(0)
    y_mu, y_sd = y[:n_train].mean(), y[:n_train].std()
    X = torch.from_numpy((X - x_mu) / x_sd)
    y = torch.from_numpy((y - y_mu) / y_sd)
    X_train, y_train, X_val, y_val = X[:n_train], y[:n_train], X[n_train:], y[n_train:]

    model = nn.Sequential(
        nn.Linear(10, 128), nn.ReLU(),
        nn.Linear(128, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )
    lr = 0.5
    batch_size = 32

    for epoch in range(20):
        model.train()
        perm = torch.randperm(n_train)
        running = 0.0
        for i in range(0, n_train, batch_size):
            idx = perm[i:i + batch_size]
            loss = F.mse_loss(model(X_train[idx]).squeeze(-1), y_train[idx])
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                    p.grad = None
            running += loss.item() * len(idx)

        model.eval()
        with torch.no_grad():
            val_mse = F.mse_loss(model(X_val).squeeze(-1), y_val).item()
        if epoch % 4 == 3:
            print(f"epoch {epoch + 1:2d}  train_mse={running / n_train:.4f}  val_mse={val_mse:.4f}")

    rmse_mm = (val_mse ** 0.5) * float(y_sd)
    r2 = 1 - val_mse / y_val.var().item()
    print(f"final: val RMSE {rmse_mm:.2f} mm, R^2 {r2:.3f}")


if __name__ == "__main__":
    main()
