"""Battery state of health from periodic reference-performance-test features.

Each cell is cycled under its own protocol (temperature, charge rate, depth of discharge);
every ~25 cycles a reference test logs internal resistance and incremental-capacity
features. We regress SOH (capacity / nominal) and hold out whole cells, never rows.

The update is written out by hand (heavy-ball momentum, step decay), the way the
original lab notebook did it before anyone ported it to torch.optim.
"""
import math

import numpy as np
import torch
from torch import nn

FEATURES = ["cycle", "temp_c", "charge_c", "discharge_c", "dod", "r_internal_mohm",
            "ic_peak_height", "ic_peak_volt", "mean_dis_volt", "dq_var_log"]


def simulate_cells(n_cells, rng):
    rows, soh, cell_id = [], [], []
    for c in range(n_cells):
        temp = rng.uniform(15, 45)
        charge_c = rng.uniform(0.5, 3.0)
        dis_c = rng.uniform(0.5, 2.0)
        dod = rng.uniform(0.5, 1.0)
        stress = math.exp((temp - 25) / 18) * (0.6 + 0.4 * charge_c) * (0.5 + dod) * rng.lognormal(0, 0.1)
        knee = rng.uniform(500, 900) / stress
        r0 = rng.normal(18, 1.5)
        for cyc in np.arange(0, 1200, 25) + rng.integers(0, 10):
            fade = 0.0045 * stress * math.sqrt(cyc) + 2.5e-7 * stress * max(0.0, cyc - knee) ** 2
            s = 1.0 - fade
            if s < 0.62:
                break
            r_int = r0 * (1 + 1.8 * (1 - s)) + rng.normal(0, 0.4)
            ic_h = 9.5 * s ** 2.2 - 0.6 * charge_c + rng.normal(0, 0.25)
            ic_v = 3.62 - 0.03 * (1 - s) * 10 + 0.01 * charge_c + rng.normal(0, 0.004)
            v_mean = 3.68 - 0.004 * r_int * dis_c + 0.12 * (s - 1) + rng.normal(0, 0.005)
            dq_var = math.log10(1e-6 + (1 - s) ** 2 * 0.04 + 1e-5) + rng.normal(0, 0.08)
            rows.append([cyc, temp, charge_c, dis_c, dod, r_int, ic_h, ic_v, v_mean, dq_var])
            soh.append(s)
            cell_id.append(c)
    return np.array(rows, np.float32), np.array(soh, np.float32), np.array(cell_id)


def main():
    torch.manual_seed(2024)
    rng = np.random.default_rng(2024)
    X, y, cell = simulate_cells(70, rng)
    cells = rng.permutation(70)
    val_cells = set(cells[:14].tolist())
    is_val = np.array([c in val_cells for c in cell])
    Xtr, ytr, Xva, yva = X[~is_val], y[~is_val], X[is_val], y[is_val]
    print(f"{len(Xtr)} train rows from 56 cells, {len(Xva)} val rows from 14 held-out cells")

    mu, sd = Xtr.mean(0), Xtr.std(0)
    y_mu, y_sd = ytr.mean(), ytr.std()
    Xtr_t = torch.from_numpy((Xtr - mu) / sd)
    Xva_t = torch.from_numpy((Xva - mu) / sd)
    ytr_t = torch.from_numpy((ytr - y_mu) / y_sd)

    model = nn.Sequential(nn.Linear(len(FEATURES), 64), nn.Tanh(), nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 1))
    velocity = [torch.zeros_like(p) for p in model.parameters()]
    lr, beta, wd, batch = 0.05, 0.9, 1e-4, 32
    n = len(Xtr_t)

    for epoch in range(60):
        if epoch in (35, 50):
            lr *= 0.3
        model.train()
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            pred = model(Xtr_t[idx]).squeeze(1)
            loss = ((pred - ytr_t[idx]) ** 2).mean()
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p, v in zip(model.parameters(), velocity):
                    g = p.grad + wd * p
                    v.mul_(beta).add_(g)
                    p -= lr * v
            total += loss.item() * len(idx)
        if epoch % 10 == 9:
            model.eval()
            with torch.no_grad():
                pv = model(Xva_t).squeeze(1).numpy() * y_sd + y_mu
            rmse = np.sqrt(((pv - yva) ** 2).mean())
            print(f"epoch {epoch + 1:3d}  train mse {total / n:.4f}  val RMSE {100 * rmse:.2f} SOH-%")

    mae = np.abs(pv - yva).mean()
    r2 = 1 - ((pv - yva) ** 2).sum() / ((yva - yva.mean()) ** 2).sum()
    print(f"final: held-out cells RMSE {100 * rmse:.2f} SOH-%  MAE {100 * mae:.2f} SOH-%  R2 {r2:.4f}")


if __name__ == "__main__":
    main()
