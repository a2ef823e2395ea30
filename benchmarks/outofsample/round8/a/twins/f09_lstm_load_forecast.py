"""One-step-ahead forecaster for a synthetic electricity-load series
(daily + weekly seasonality, slow trend, AR(1) noise), hourly resolution.

LSTM over a 48-hour window, predicting the next hour. Series standardised with training
statistics; chronological split. Reports validation RMSE against the seasonal-naive baseline.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(9)
rng = np.random.default_rng(9)

H = 24 * 7 * 20                                   # 20 weeks of hourly data
t = np.arange(H)
noise = np.zeros(H)
for i in range(1, H):
    noise[i] = 0.7 * noise[i - 1] + rng.normal(0, 0.3)
load = 10 + 0.0004 * t + 2.0 * np.sin(2 * np.pi * t / 24) + 0.8 * np.sin(4 * np.pi * t / 24 + 1) \
    + 1.2 * np.sin(2 * np.pi * t / 168) + noise

split = int(0.8 * H)
mu, sd = load[:split].mean(), load[:split].std()
z = ((load - mu) / sd).astype(np.float32)

WIN = 48


def windows(series, start, stop):
    idx = np.arange(max(start, WIN), stop)
    X = np.stack([series[i - WIN:i] for i in idx])[..., None]
    return torch.from_numpy(X), torch.from_numpy(series[idx])


X_tr, y_tr = windows(z, 0, split)
X_va, y_va = windows(z, split, H)
train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)


class Forecaster(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        h, _ = self.lstm(x)
        return self.out(h[:, -1]).squeeze(-1)


model = Forecaster()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.MSELoss()

for epoch in range(1, 7):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        val_mse = criterion(model(X_va), y_va).item()
    print(f"epoch {epoch}  train_mse {total / len(X_tr):.4f}  val_mse {val_mse:.4f}")

with torch.no_grad():
    pred = model(X_va).numpy() * sd + mu
truth = y_va.numpy() * sd + mu
naive = z[np.arange(split, H) - 24] * sd + mu      # same hour yesterday
rmse = float(np.sqrt(np.mean((pred - truth) ** 2)))
print(f"final val_rmse {rmse:.3f}  seasonal_naive_rmse {float(np.sqrt(np.mean((naive - truth) ** 2))):.3f}")
