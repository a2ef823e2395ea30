"""Next-day reservoir inflow from the last 90 days of catchment observations.

Each sample is a 90-day window of (rainfall, air temperature, snowpack proxy, upstream
gauge level); the target is tomorrow's inflow (standardised on the training years).
Elman RNN with ReLU units and identity-initialised recurrence (IRNN, Le et al. 2015),
trained with a hand-written minibatch SGD update.
"""
import math
import numpy as np
import torch
from torch import nn

torch.manual_seed(3)
rng = np.random.default_rng(3)

WINDOW = 90


def simulate_catchment(n_days):
    t = np.arange(n_days)
    season = np.sin(2 * np.pi * t / 365.0)
    temp = 8 + 10 * season + rng.normal(0, 2.5, n_days)
    wet = rng.random(n_days) < (0.35 - 0.15 * season)
    rain = np.where(wet, rng.gamma(1.2, 6.0, n_days), 0.0)
    snow = np.zeros(n_days); soil = np.zeros(n_days); inflow = np.zeros(n_days)
    for d in range(1, n_days):
        melt = max(0.0, 0.25 * (temp[d] - 2.0)) * (snow[d - 1] > 0)
        accum = rain[d] if temp[d] < 0 else 0.0
        snow[d] = max(0.0, snow[d - 1] + accum - melt)
        liquid = (rain[d] if temp[d] >= 0 else 0.0) + min(melt, snow[d - 1])
        soil[d] = 0.93 * soil[d - 1] + 0.6 * liquid
        inflow[d] = 0.75 * inflow[d - 1] + 0.08 * soil[d] + 0.15 * liquid + rng.normal(0, 0.2)
    gauge = np.convolve(inflow, np.ones(3) / 3, mode="same") + rng.normal(0, 0.3, n_days)
    return np.stack([rain, temp, snow, gauge], 1).astype(np.float32), inflow.astype(np.float32)


def windows(feats, target, start, stop):
    xs, ys = [], []
    for d in range(start + WINDOW, stop - 1):
        xs.append(feats[d - WINDOW:d])
        ys.append(target[d])
    return np.stack(xs), np.array(ys, np.float32)


class InflowRNN(nn.Module):
    def __init__(self, n_in, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(n_in, hidden, nonlinearity="relu", batch_first=True)
        self.head = nn.Linear(hidden, 1)
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(torch.eye(hidden))
            self.rnn.bias_hh_l0.zero_()
            self.rnn.bias_ih_l0.zero_()
            nn.init.normal_(self.rnn.weight_ih_l0, std=0.001)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1]).squeeze(-1)


def main():
    feats, inflow = simulate_catchment(6 * 365)
    split = 5 * 365
    mu, sd = feats[:split].mean(0), feats[:split].std(0)
    feats = (feats - mu) / sd
    y_mu, y_sd = inflow[:split].mean(), inflow[:split].std()
    target = (inflow - y_mu) / y_sd

    Xtr, ytr = windows(feats, target, 0, split)
    Xva, yva = windows(feats, target, split - WINDOW, len(feats))
    Xtr, ytr, Xva, yva = map(torch.from_numpy, (Xtr, ytr, Xva, yva))

    model = InflowRNN(Xtr.shape[-1])
    loss_fn = nn.MSELoss()
    lr, batch_size, epochs = 0.005, 32, 6
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        running = 0.0
        for i in range(0, len(Xtr), batch_size):
            idx = perm[i:i + batch_size]
            loss = loss_fn(model(Xtr[idx]), ytr[idx])
            model.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            running += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            val_mse = loss_fn(model(Xva), yva).item()
        print(f"epoch {epoch + 1}: train_mse={running / len(Xtr):.4f} val_mse={val_mse:.4f}")

    with torch.no_grad():
        pred = model(Xva)
    r2 = 1 - ((pred - yva) ** 2).mean().item() / yva.var(unbiased=False).item()
    rmse = math.sqrt(((pred - yva) ** 2).mean().item()) * y_sd
    print(f"val_r2={r2:.4f} val_rmse={rmse:.3f}")


if __name__ == "__main__":
    main()
