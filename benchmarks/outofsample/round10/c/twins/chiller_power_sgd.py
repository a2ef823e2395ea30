"""Chiller plant power regression (synthetic BMS telemetry), hand-rolled SGD.

Predict electrical power of a chiller from outdoor temperature, humidity, chilled-water
setpoint, load fraction, hour of day (sin/cos) and condenser flow. Targets are
standardised with training statistics; R^2 is reported in kW on held-out readings.
"""
import math

import numpy as np
import torch
from torch import nn


def telemetry(n, rng):
    hour = rng.uniform(0, 24, n)
    t_out = 24 + 8 * np.sin(2 * np.pi * (hour - 9) / 24) + rng.normal(0, 2.5, n)
    rh = np.clip(rng.normal(60, 12, n), 20, 100)
    setpoint = rng.choice([6.0, 6.5, 7.0, 7.5], n)
    load = np.clip(0.35 + 0.02 * (t_out - 24) + rng.normal(0, 0.12, n), 0.1, 1.0)
    flow = rng.uniform(0.6, 1.0, n)
    lift = t_out + 0.05 * rh - setpoint
    cop = 6.5 - 0.12 * lift - 1.5 * (load - 0.7) ** 2 + 0.8 * (flow - 0.8)
    power = 450 * load / np.maximum(cop, 1.5) + rng.normal(0, 4, n)
    X = np.column_stack([t_out, rh, setpoint, load, flow,
                         np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24)])
    return X.astype(np.float32), power.astype(np.float32)


def build_mlp(sizes):
    layers = []
    for w_in, w_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(w_in, w_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def r2(pred, target):
    return 1 - ((pred - target) ** 2).sum() / ((target - target.mean()) ** 2).sum()


def main():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    X, y = telemetry(4000, rng)
    Xtr, ytr, Xva, yva = X[:3200], y[:3200], X[3200:], y[3200:]
    x_mu, x_sd = Xtr.mean(0), Xtr.std(0)
    y_mu, y_sd = ytr.mean(), ytr.std()
    Xtr, Xva = torch.from_numpy((Xtr - x_mu) / x_sd), torch.from_numpy((Xva - x_mu) / x_sd)
    ytr_s = torch.from_numpy((ytr - y_mu) / y_sd)
    yva = torch.from_numpy(yva)

    model = build_mlp([7, 64, 64, 1])
    lr, batch_size, epochs = 0.05, 32, 25
    n = len(Xtr)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(n)
        lr_t = lr * 0.5 * (1 + math.cos(math.pi * epoch / epochs))
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            pred = model(Xtr[idx]).squeeze(-1)
            loss = nn.functional.mse_loss(pred, ytr_s[idx])
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr_t * p.grad
                    p.grad = None
        model.eval()
        with torch.no_grad():
            pred_kw = model(Xva).squeeze(-1) * y_sd + y_mu
            score = r2(pred_kw, yva).item()
        if epoch % 5 == 4:
            print(f"epoch {epoch + 1}: last batch mse {loss.item():.4f}  val R2 {score:.4f}")
    print(f"final val_r2={score:.4f}")


if __name__ == "__main__":
    main()
