"""Windrow compost: predict how many hours until a pile needs turning.

Each sample is 72 half-hourly readings from a pile (core temperature, surface
temperature, moisture, O2 share), standardised per channel. The target is the
hours until the core crosses the turning threshold, scaled to roughly unit range.
A small Elman RNN reads the sequence; the update is plain SGD written by hand.
"""
import numpy as np
import torch
from torch import nn

SEQ, CH = 72, 4


def simulate(n, rng):
    X = np.zeros((n, SEQ, CH), np.float32)
    y = np.zeros(n, np.float32)
    t = np.arange(SEQ) / 2.0
    for i in range(n):
        rate = rng.uniform(0.15, 0.9)                # heating rate, C per hour
        start = rng.uniform(25, 45)
        moist = rng.uniform(40, 65)
        o2 = 18 - rate * 8 + rng.normal(0, 0.8)
        core = start + 30 * (1 - np.exp(-rate * t / 20)) + rng.normal(0, 0.6, SEQ)
        core += 1.5 * np.sin(2 * np.pi * t / 24)    # day/night
        surf = 0.6 * core + 8 + rng.normal(0, 1.0, SEQ)
        m = moist - 0.05 * rate * t + rng.normal(0, 0.5, SEQ)
        ox = o2 - 0.04 * rate * t + rng.normal(0, 0.3, SEQ)
        X[i] = np.stack([core, surf, m, ox], 1)
        thresh = 68.0
        slope = 1.5 * rate * (1 + (moist - 52) / 60)
        y[i] = max(thresh - core[-1], 0.5) / max(slope, 0.05)
    return X, np.log1p(y).astype(np.float32)


class TurnRNN(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(CH, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1]).squeeze(-1)


def main():
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    X, y = simulate(1600, rng)
    mu, sd = X[:1200].reshape(-1, CH).mean(0), X[:1200].reshape(-1, CH).std(0)
    X = (X - mu) / sd
    ym, ys = y[:1200].mean(), y[:1200].std()
    y = (y - ym) / ys
    Xtr, ytr = torch.tensor(X[:1200]), torch.tensor(y[:1200])
    Xva, yva = torch.tensor(X[1200:]), torch.tensor(y[1200:])

    model = TurnRNN()
    lr, bs, epochs = 0.25, 32, 10
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        run = 0.0
        for k in range(0, len(Xtr), bs):
            idx = perm[k:k + bs]
            loss = nn.functional.mse_loss(model(Xtr[idx]), ytr[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            run += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            val = nn.functional.mse_loss(model(Xva), yva).item()
        print(f"epoch {epoch + 1:2d}  train {run / len(Xtr):.4f}  val {val:.4f}")
    print(f"final val MSE {val:.4f}  R2 {1 - val / yva.var(unbiased=False).item():.4f}")


if __name__ == "__main__":
    main()
