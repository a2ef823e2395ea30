"""Next-day cash withdrawal forecast for a fleet of ATMs.

Features per ATM-day: calendar (weekday, month, payday distance, holiday flag),
site type mix, last 7 days of withdrawals (scaled). Target: next-day withdrawals
in thousands, standardised on the training period.
"""
import argparse
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_data(n_atms=60, n_days=120, seed=0):
    rng = np.random.default_rng(seed)
    site = rng.integers(0, 4, n_atms)                   # mall, station, branch, rural
    base = np.array([22.0, 30.0, 14.0, 6.0])[site] * rng.lognormal(0, 0.25, n_atms)
    days = np.arange(n_days + 8)
    wd = days % 7
    payday = np.minimum(days % 30, 30 - days % 30)
    holiday = (rng.random(len(days)) < 0.04).astype(float)
    wk_profile = np.array([[1.0, 0.9, 0.9, 1.0, 1.3, 1.6, 1.2],
                           [1.3, 1.2, 1.2, 1.2, 1.4, 0.7, 0.5],
                           [1.1, 1.0, 1.0, 1.0, 1.2, 0.6, 0.2],
                           [0.9, 0.9, 0.9, 1.0, 1.1, 1.4, 0.9]])
    series = np.zeros((n_atms, len(days)))
    for a in range(n_atms):
        mult = wk_profile[site[a], wd] * (1 + 0.5 * np.exp(-payday / 2.0)) * (1 + 0.6 * holiday * (site[a] != 1))
        noise = rng.lognormal(0, 0.15, len(days))
        series[a] = base[a] * mult * noise
    X, Y, T = [], [], []
    for a in range(n_atms):
        for d in range(7, len(days) - 1):
            lags = series[a, d - 7:d] / base[a]
            cal = np.concatenate([np.eye(7)[wd[d]], [payday[d] / 15.0, holiday[d], np.log(base[a]) / 3]])
            X.append(np.concatenate([lags, cal, np.eye(4)[site[a]]]))
            Y.append(series[a, d])
            T.append(d)
    return np.array(X, np.float32), np.array(Y, np.float32), np.array(T)


class Forecaster(nn.Module):
    def __init__(self, d_in, hidden=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--lr", type=float, default=0.02)
    p.add_argument("--batch-size", type=int, default=128)
    args = p.parse_args()
    torch.manual_seed(0)

    X, Y, T = make_data()
    cut = np.quantile(T, 0.8)
    tr, te = T < cut, T >= cut
    y_mu, y_sd = Y[tr].mean(), Y[tr].std()
    Xtr, Xte = torch.tensor(X[tr]), torch.tensor(X[te])
    ytr, yte = torch.tensor((Y[tr] - y_mu) / y_sd), torch.tensor((Y[te] - y_mu) / y_sd)
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(Xte, yte), batch_size=256)

    model = Forecaster(X.shape[1])
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
    loss_fn = nn.MSELoss()

    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(xb)
        model.eval()
        with torch.no_grad():
            se = sum(((model(xb) - yb) ** 2).sum().item() for xb, yb in test_loader)
        if epoch % 5 == 0 or epoch == 1:
            print(f"epoch {epoch:3d}  train mse {total / len(ytr):.4f}  test mse {se / len(yte):.4f}  lr {scheduler.get_last_lr()[0]:.2e}")

    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(xb) for xb, _ in test_loader]) * y_sd + y_mu
    truth = yte * y_sd + y_mu
    mae = (pred - truth).abs().mean().item()
    r2 = 1 - ((pred - truth) ** 2).sum().item() / ((truth - truth.mean()) ** 2).sum().item()
    print(f"final test MAE {mae:.3f}k  R2 {r2:.4f}")


if __name__ == "__main__":
    main()
