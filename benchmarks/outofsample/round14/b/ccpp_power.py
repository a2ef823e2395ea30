"""Net electrical output of a combined-cycle gas turbine plant from ambient readings.

Hourly averages of ambient temperature, exhaust vacuum, ambient pressure and
relative humidity predict the plant's net output (MW). Features are
standardised with training statistics; an MLP regressor is trained with Adam
and the script reports validation MAE (MW) and R^2 on the original scale.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

CONFIG = dict(hidden=64, lr=1e-3, epochs=25, batch_size=64, standardize_target=False, seed=5)


def plant_log(n, rng):
    at = rng.uniform(2, 36, n)                                # deg C
    v = 25 + 1.05 * at + rng.normal(0, 6, n)                  # exhaust vacuum, cm Hg
    ap = rng.normal(1013, 6, n) - 0.15 * (at - 20)            # mbar
    rh = np.clip(rng.normal(73, 14, n) - 0.6 * (at - 20), 20, 100)
    pe = (497 - 1.9 * at - 0.27 * (v - 25) + 0.06 * (ap - 1013)
          - 0.12 * (rh - 73) + 0.02 * (at - 20) * (rh - 73) / 10
          - 0.018 * (at - 18) ** 2 + rng.normal(0, 3.5, n))
    X = np.stack([at, v, ap, rh], 1).astype(np.float32)
    return X, pe.astype(np.float32)


def main():
    cfg = CONFIG
    torch.manual_seed(cfg["seed"])
    rng = np.random.default_rng(cfg["seed"])
    X, y = plant_log(6000, rng)
    Xtr, Xva, ytr, yva = X[:4800], X[4800:], y[:4800], y[4800:]
    x_mu, x_sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - x_mu) / x_sd, (Xva - x_mu) / x_sd
    if cfg["standardize_target"]:
        y_mu, y_sd = float(ytr.mean()), float(ytr.std())
    else:
        y_mu, y_sd = 0.0, 1.0

    train_loader = DataLoader(
        TensorDataset(torch.from_numpy(Xtr), torch.from_numpy((ytr - y_mu) / y_sd).unsqueeze(1)),
        batch_size=cfg["batch_size"], shuffle=True)
    Xva_t = torch.from_numpy(Xva)

    model = nn.Sequential(nn.Linear(4, cfg["hidden"]), nn.SiLU(),
                          nn.Linear(cfg["hidden"], cfg["hidden"]), nn.SiLU(),
                          nn.Linear(cfg["hidden"], 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    loss_fn = nn.MSELoss()

    for epoch in range(1, cfg["epochs"] + 1):
        model.train()
        total = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        model.eval()
        with torch.no_grad():
            pred = model(Xva_t).squeeze(1).numpy() * y_sd + y_mu
        mae = np.abs(pred - yva).mean()
        r2 = 1 - ((pred - yva) ** 2).sum() / ((yva - yva.mean()) ** 2).sum()
        if epoch % 5 == 0 or epoch == 1:
            print(f"epoch {epoch:3d} train_mse {total / len(Xtr):10.4f} val_mae_MW {mae:7.3f} val_r2 {r2:.4f}")
    print(f"final val_mae_MW {mae:.3f} val_r2 {r2:.4f}")


if __name__ == "__main__":
    main()
