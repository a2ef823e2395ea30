"""One-hour-ahead air-temperature forecast for a tomato greenhouse compartment.

Inputs: the last 12 hourly readings of inside temperature, humidity, CO2, outside temperature,
global radiation, vent opening and heating-pipe temperature (84 values) plus hour-of-day as
sin/cos. Target: the inside temperature one hour later, as the change from the last reading.
A deliberately small MLP, plain SGD written out by hand, Huber loss (door openings and
screen failures give occasional large jumps), early stopping on the validation loss.
Train on the first 80 days, validate on the last 20 (no shuffling across the time split).
"""
import copy
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(21)
rng = np.random.default_rng(21)

HOURS = 24 * 100
LAGS = 12


def simulate_compartment():
    h = np.arange(HOURS)
    day = h // 24
    hod = h % 24
    out_t = 8 + 6 * np.sin(2 * np.pi * (hod - 9) / 24) + 3 * np.sin(2 * np.pi * day / 40) + rng.normal(0, 1, HOURS)
    rad = np.clip(np.sin(np.pi * (hod - 6) / 13), 0, None) * rng.uniform(150, 750, HOURS // 24).repeat(24)
    t_in = np.zeros(HOURS)
    hum = np.zeros(HOURS)
    vent = np.zeros(HOURS)
    pipe = np.zeros(HOURS)
    co2 = np.zeros(HOURS)
    t_in[0], hum[0] = 18.0, 80.0
    for k in range(1, HOURS):
        setpoint = 19.0 if 6 <= hod[k] <= 19 else 16.5
        pipe[k] = np.clip(40 + 6 * (setpoint - t_in[k - 1]) - 0.02 * rad[k], 25, 75)
        vent[k] = np.clip(8 * (t_in[k - 1] - setpoint - 2.0), 0, 100)
        screen = 0.45 if rad[k] < 5 else 1.0                  # energy screen closed at night
        dT = (0.010 * rad[k] + 0.045 * (pipe[k] - t_in[k - 1]) - 0.16 * screen * (t_in[k - 1] - out_t[k])
              - 0.012 * vent[k] * (t_in[k - 1] - out_t[k]) / 10)
        if rng.random() < 0.015:                              # door left open / screen failure
            dT += rng.standard_t(2) * 2.0
        t_in[k] = t_in[k - 1] + 0.55 * dT + rng.normal(0, 0.05)
        hum[k] = np.clip(hum[k - 1] + 0.3 * (85 - hum[k - 1]) - 0.05 * vent[k] + rng.normal(0, 1.5), 40, 100)
        co2[k] = 420 + (500 if 7 <= hod[k] <= 17 else 100) * (1 - vent[k] / 100) + rng.normal(0, 25)
    return np.column_stack([t_in, hum, co2, out_t, rad, vent, pipe]), hod


def windows(series, hod):
    X, y, last = [], [], []
    for k in range(LAGS, HOURS - 1):
        lag = series[k - LAGS + 1: k + 1].reshape(-1)
        X.append(np.concatenate([lag, [np.sin(2 * np.pi * hod[k + 1] / 24), np.cos(2 * np.pi * hod[k + 1] / 24)]]))
        y.append(series[k + 1, 0] - series[k, 0])
        last.append(series[k, 0])
    return np.array(X, np.float32), np.array(y, np.float32), np.array(last, np.float32)


def main():
    series, hod = simulate_compartment()
    X, y, _ = windows(series, hod)
    split = 80 * 24 - LAGS
    X_tr, y_tr, X_va, y_va = X[:split], y[:split], X[split:], y[split:]
    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    Xt, yt = torch.tensor(X_tr), torch.tensor((y_tr - y_mu) / y_sd)
    Xv, yv = torch.tensor(X_va), torch.tensor((y_va - y_mu) / y_sd)

    model = nn.Sequential(nn.Linear(X.shape[1], 16), nn.ReLU(), nn.Linear(16, 1))
    lr, batch, wd = 0.05, 32, 1e-4
    best, best_state, patience, bad = math.inf, None, 8, 0
    for epoch in range(1, 61):
        model.train()
        perm = torch.randperm(len(Xt))
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            loss = F.huber_loss(model(Xt[idx]).squeeze(-1), yt[idx], delta=1.0)
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * (p.grad + wd * p)
        model.eval()
        with torch.no_grad():
            val = F.huber_loss(model(Xv).squeeze(-1), yv, delta=1.0, reduction="sum").item() / len(yv)
        if val < best - 1e-4:
            best, best_state, bad = val, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad >= patience:
                print(f"early stop at epoch {epoch}")
                break
        if epoch % 10 == 0:
            print(f"epoch {epoch}  val huber {val:.4f}")

    model.load_state_dict(best_state)
    with torch.no_grad():
        pred = model(Xv).squeeze(-1).numpy() * y_sd + y_mu
    mae = np.abs(pred - y_va).mean()
    persistence = np.abs(y_va).mean()
    print(f"val MAE {mae:.3f} degC vs persistence {persistence:.3f} degC (best val huber {best:.4f})")


if __name__ == "__main__":
    main()
