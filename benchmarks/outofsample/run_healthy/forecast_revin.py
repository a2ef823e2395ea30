"""Multi-step time-series forecasting with an LSTM encoder and reversible instance normalisation (each window
is normalised by its own mean/std inside forward and the forecast de-normalised), on generated load curves."""
import numpy as np
import torch
from torch import nn

LOOKBACK, HORIZON = 48, 12


def make_series(n_series=40, length=600, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    out = []
    for _ in range(n_series):
        level = rng.uniform(200, 900)
        trend = rng.uniform(-0.2, 0.4)
        daily = rng.uniform(20, 120) * np.sin(2 * np.pi * t / 24 + rng.uniform(0, 6.28))
        weekly = rng.uniform(5, 40) * np.sin(2 * np.pi * t / 168)
        noise = np.convolve(rng.normal(0, 8, length), np.ones(3) / 3, mode="same")
        out.append(level + trend * t + daily + weekly + noise)
    return np.array(out, dtype=np.float32)


def windows(series, start, end):
    xs, ys = [], []
    for s in series:
        for i in range(start, end - LOOKBACK - HORIZON, 6):
            xs.append(s[i:i + LOOKBACK])
            ys.append(s[i + LOOKBACK:i + LOOKBACK + HORIZON])
    return torch.tensor(np.array(xs)).unsqueeze(-1), torch.tensor(np.array(ys))


class Forecaster(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, num_layers=2, batch_first=True, dropout=0.1)
        self.head = nn.Linear(hidden, HORIZON)

    def forward(self, x):
        mean = x.mean(dim=1, keepdim=True)
        std = x.std(dim=1, keepdim=True) + 1e-5
        out, _ = self.lstm((x - mean) / std)
        return self.head(out[:, -1]) * std[:, 0] + mean[:, 0]


def main():
    torch.manual_seed(0)
    series = make_series()
    Xtr, Ytr = windows(series, 0, 450)
    Xva, Yva = windows(series, 450, 600)
    model = Forecaster()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[6, 9], gamma=0.3)
    loss_fn = nn.L1Loss()
    naive = (Yva - Xva[:, -1:, 0]).abs().mean().item()
    print(f"{len(Xtr)} training windows; last-value baseline MAE {naive:.2f}")
    for epoch in range(12):
        model.train()
        perm = torch.randperm(len(Xtr))
        for i in range(0, len(Xtr), 64):
            idx = perm[i:i + 64]
            loss = loss_fn(model(Xtr[idx]), Ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
        model.eval()
        with torch.no_grad():
            mae = loss_fn(model(Xva), Yva).item()
        print(f"epoch {epoch}: train MAE {loss.item():.2f} val MAE {mae:.2f}")
    print(f"final_val_metric={mae:.4f}")


if __name__ == "__main__":
    main()
