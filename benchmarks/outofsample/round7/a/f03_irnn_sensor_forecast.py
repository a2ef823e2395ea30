"""One-step-ahead forecasting of eight synthetic building sensors (daily and weekly
seasonality plus AR(1) noise) with an IRNN: a ReLU vanilla RNN whose recurrent
matrix starts at the identity (Le, Jaitly & Hinton, 2015).

Training follows the word_language_model example: random windows, plain SGD
written by hand (p.data.add_(p.grad, alpha=-lr)) and an LR that is divided by 4
when validation stops improving. Reports validation MSE against a persistence
baseline (predict the last observed value).
"""
import math
import time

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)

N_SENSORS, T_TOTAL, WINDOW = 8, 6000, 100


def make_sensors(n):
    t = np.arange(n)
    cols = []
    for _ in range(N_SENSORS):
        amp, phase = np.random.uniform(0.5, 1.5), np.random.uniform(0, 2 * np.pi)
        seasonal = amp * np.sin(2 * np.pi * t / 24 + phase) + 0.5 * np.sin(2 * np.pi * t / 168 + 2 * phase)
        noise = np.zeros(n)
        for i in range(1, n):
            noise[i] = 0.8 * noise[i - 1] + np.random.normal(0, 0.2)
        cols.append(seasonal + noise + np.random.uniform(15, 25))  # e.g. degrees C
    return np.stack(cols, 1).astype(np.float32)


raw = make_sensors(T_TOTAL)
split = 5000
mu, sd = raw[:split].mean(0), raw[:split].std(0)
data = torch.from_numpy((raw - mu) / sd)
train_series, val_series = data[:split], data[split:]


def get_windows(series, batch_size):
    idx = np.random.randint(0, len(series) - WINDOW - 1, batch_size)
    x = torch.stack([series[i:i + WINDOW] for i in idx])
    y = torch.stack([series[i + 1:i + WINDOW + 1] for i in idx])
    return x, y


class IRNNForecaster(nn.Module):
    def __init__(self, n_in, hidden=128):
        super().__init__()
        self.rnn = nn.RNN(n_in, hidden, batch_first=True, nonlinearity="relu")
        self.decoder = nn.Linear(hidden, n_in)
        nn.init.eye_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)
        nn.init.normal_(self.rnn.weight_ih_l0, std=0.001 ** 0.5)

    def forward(self, x):
        h, _ = self.rnn(x)
        return x + self.decoder(h)  # predict the change from the last reading


def evaluate(model, series):
    model.eval()
    g = np.random.RandomState(1)
    idx = g.randint(0, len(series) - WINDOW - 1, 256)
    x = torch.stack([series[i:i + WINDOW] for i in idx])
    y = torch.stack([series[i + 1:i + WINDOW + 1] for i in idx])
    with torch.no_grad():
        mse = nn.functional.mse_loss(model(x), y).item()
    naive = nn.functional.mse_loss(x, y).item()
    return mse, naive


model = IRNNForecaster(N_SENSORS)
criterion = nn.MSELoss()
lr, batch_size, steps, log_interval = 0.01, 32, 800, 100
best_val = None
start = time.time()
for step in range(1, steps + 1):
    model.train()
    x, y = get_windows(train_series, batch_size)
    model.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    for p in model.parameters():
        p.data.add_(p.grad, alpha=-lr)

    if step % log_interval == 0:
        val_mse, naive = evaluate(model, val_series)
        print(f"| step {step:4d} | lr {lr:.4f} | train mse {loss.item():8.4f} | val mse {val_mse:8.4f} "
              f"| persistence {naive:.4f} | {time.time() - start:5.1f}s")
        if best_val is None or val_mse < best_val:
            best_val = val_mse
        else:
            lr /= 4.0

val_mse, naive = evaluate(model, val_series)
print(f"final val_mse={val_mse:.4f} persistence_mse={naive:.4f}")
