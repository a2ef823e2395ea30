"""Predict a LEO smallsat's battery bus voltage (mV) at the end of the next eclipse
from housekeeping telemetry sampled at eclipse entry.

Features: orbit beta angle, predicted eclipse length, battery temperature, payload /
heater / radio load currents, solar-array current before entry, charge-cycle count,
depth of discharge of the previous orbit and the voltage at entry.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(3)
rng = np.random.default_rng(3)


def telemetry(n):
    beta = rng.uniform(-70, 70, n)
    ecl_min = 36 * np.sqrt(np.clip(1 - (np.abs(beta) / 72) ** 2, 0.05, 1)) + rng.normal(0, 0.5, n)
    temp_c = rng.normal(18, 5, n)
    payload_a = rng.choice([0.0, 0.8, 1.6], n, p=[0.5, 0.3, 0.2]) + rng.normal(0, 0.05, n)
    heater_a = np.clip(0.05 * (15 - temp_c), 0, None) + rng.normal(0, 0.02, n)
    radio_a = rng.choice([0.1, 0.9], n, p=[0.8, 0.2])
    array_a = 4.0 * np.cos(np.radians(beta)) * rng.uniform(0.9, 1.0, n)
    cycles = rng.uniform(0, 12000, n)
    prev_dod = rng.uniform(0.05, 0.35, n)
    v_entry = 29400 - 1800 * prev_dod * 0.3 + rng.normal(0, 60, n)

    load = 0.9 + payload_a + heater_a + radio_a
    charge_ah = load * ecl_min / 60
    capacity = 10.0 * (1 - 2.2e-5 * cycles)
    dod = charge_ah / capacity
    v_end = (v_entry - 5200 * dod - 1400 * dod ** 2 - 180 * load * (1 + 0.015 * (20 - temp_c))
             + 9 * (temp_c - 18) - 0.02 * cycles * dod + rng.normal(0, 35, n))
    X = np.column_stack([beta, ecl_min, temp_c, payload_a, heater_a, radio_a, array_a,
                         cycles, prev_dod, v_entry])
    return X.astype(np.float32), v_end.astype(np.float32)


class VoltageNet(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, 128), nn.SiLU(),
            nn.Linear(128, 128), nn.SiLU(),
            nn.Linear(128, 1),
        )

    def forward(self, x):
        return self.body(x).squeeze(-1)


def main():
    X, y = telemetry(4000)
    tr, va = np.arange(0, 3200), np.arange(3200, 4000)
    x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
    X = (X - x_mu) / x_sd
    y_mu, y_sd = y[tr].mean(), y[tr].std()

    train_dl = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy((y[tr] - y_mu) / y_sd)),
                          batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=256)

    model = VoltageNet(X.shape[1])
    epochs = 30
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)

    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            opt.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
        sched.step()

        model.eval()
        sse, n = 0.0, 0
        with torch.no_grad():
            for xb, yb in val_dl:
                pred_mv = model(xb) * y_sd + y_mu
                sse += F.mse_loss(pred_mv, yb, reduction="sum").item()
                n += len(yb)
        if epoch % 5 == 4 or epoch == epochs - 1:
            print(f"epoch {epoch + 1:2d}  val RMSE {math.sqrt(sse / n):8.1f} mV")

    print(f"final val RMSE {math.sqrt(sse / n):.1f} mV (target std {y[va].std():.1f} mV)")


if __name__ == "__main__":
    main()
