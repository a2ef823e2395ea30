"""Short-horizon packet-loss forecasting for WAN links from per-second telemetry.

Input: the last 64 one-second windows of (RTT ms, jitter ms, throughput Mbit/s, loss %)
for a link; target: mean loss % over the next 5 s (log1p, standardised).
Congestion follows a latent mean-reverting process with cross-traffic bursts.
Elman tanh RNN with orthogonal recurrent init, plain training loop.
"""
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

WINDOW, HORIZON = 64, 5


def simulate_link(rng, n_sec):
    base_rtt = rng.uniform(8, 120)
    cap = rng.choice([50, 100, 500, 1000])
    phi = rng.uniform(0.9, 0.985)
    c = np.zeros(n_sec)
    burst = 0.0
    for t in range(1, n_sec):
        if rng.random() < 0.01:
            burst = rng.uniform(0.5, 1.5)
        burst *= 0.93
        c[t] = phi * c[t - 1] + (1 - phi) * 0.2 + 0.08 * rng.normal() + 0.12 * burst
    c = np.clip(c, 0, None)
    rtt = base_rtt * (1 + 1.5 * c) + rng.gamma(2, 1.5, n_sec)
    jitter = 2 + 12 * c + rng.gamma(1.5, 1.0, n_sec)
    thr = cap * np.clip(0.8 - 0.5 * c + 0.05 * rng.normal(size=n_sec), 0.02, 1)
    loss = 100 / (1 + np.exp(-(6 * c - 5))) * rng.lognormal(0, 0.3, n_sec)
    return np.stack([rtt, jitter, thr, loss], 1)


def make_windows(rng, n_links, per_link):
    X, y = [], []
    for _ in range(n_links):
        tele = simulate_link(rng, 900)
        starts = rng.choice(900 - WINDOW - HORIZON, per_link, replace=False)
        for s in starts:
            X.append(tele[s:s + WINDOW])
            y.append(tele[s + WINDOW:s + WINDOW + HORIZON, 3].mean())
    X = np.array(X, dtype=np.float32)
    X[..., 2] = np.log1p(X[..., 2])      # throughput spans link capacities
    X[..., 3] = np.log1p(X[..., 3])
    return X, np.log1p(np.array(y, dtype=np.float32))


class LossForecaster(nn.Module):
    def __init__(self, n_in=4, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(n_in, hidden, nonlinearity="tanh", batch_first=True)
        self.out = nn.Linear(hidden, 1)
        gain = nn.init.calculate_gain("tanh")
        for name, p in self.rnn.named_parameters():
            if name.startswith("weight_ih"):
                nn.init.xavier_uniform_(p)
            elif name.startswith("weight_hh"):
                nn.init.orthogonal_(p)
            else:
                nn.init.zeros_(p)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1]).squeeze(-1)


def main():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    X, y = make_windows(rng, 60, 40)
    n_tr = 48 * 40                                  # links 0-47 train, 48-59 validate
    mu, sd = X[:n_tr].reshape(-1, 4).mean(0), X[:n_tr].reshape(-1, 4).std(0)
    Xs = (X - mu) / sd
    y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
    ys = (y - y_mu) / y_sd

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xs[:n_tr]), torch.from_numpy(ys[:n_tr])),
                              batch_size=32, shuffle=True)
    Xv, yv = torch.from_numpy(Xs[n_tr:]), torch.from_numpy(ys[n_tr:])

    model = LossForecaster()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    for epoch in range(1, 13):
        model.train()
        total, gmax = 0.0, 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            gmax = max(gmax, math.sqrt(sum(float(p.grad.pow(2).sum()) for p in model.parameters())))
            optimizer.step()
            total += loss.item() * len(xb)
        model.eval()
        with torch.no_grad():
            val_mse = loss_fn(model(Xv), yv).item()
        if epoch % 3 == 0 or epoch == 1:
            print(f"epoch {epoch:2d} train mse {total / n_tr:.4f} val mse {val_mse:.4f} max grad norm {gmax:.2e}")
    print(f"final val R2 {1 - val_mse:.4f}")


if __name__ == "__main__":
    main()
