"""Forecast the next reading of a vibration sensor from the last 80 samples.

IRNN-style Elman RNN (ReLU units, identity recurrent init, Le et al. 2015) over the
standardised window, trained with Adam and a step decay.
"""
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
np.random.seed(7)

WINDOW = 80
HORIZON = 1


def make_signal(n_series=48, length=400, rng=np.random.default_rng(7)):
    t = np.arange(length)
    out = []
    for _ in range(n_series):
        f1, f2 = rng.uniform(0.02, 0.08), rng.uniform(0.1, 0.2)
        a1, a2 = rng.uniform(0.5, 1.5), rng.uniform(0.1, 0.5)
        ph = rng.uniform(0, 2 * math.pi, size=2)
        drift = np.cumsum(rng.normal(0, 0.02, size=length))
        s = a1 * np.sin(2 * math.pi * f1 * t + ph[0]) + a2 * np.sin(2 * math.pi * f2 * t + ph[1]) + drift
        s += rng.normal(0, 0.05, size=length)
        out.append(s.astype(np.float32))
    return np.stack(out)


def windows(series, stride=4):
    xs, ys = [], []
    for s in series:
        for i in range(0, len(s) - WINDOW - HORIZON, stride):
            xs.append(s[i:i + WINDOW])
            ys.append(s[i + WINDOW + HORIZON - 1])
    return np.array(xs)[..., None], np.array(ys)[:, None]


series = make_signal()
train_s, val_s = series[:40], series[40:]
Xtr, ytr = windows(train_s)
Xva, yva = windows(val_s)
mu, sd = Xtr.mean(), Xtr.std()
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
ytr, yva = (ytr - mu) / sd, (yva - mu) / sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=256)


class Forecaster(nn.Module):
    def __init__(self, hidden=96):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, num_layers=1, nonlinearity="relu", batch_first=True)
        self.head = nn.Linear(hidden, 1)
        nn.init.eye_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


model = Forecaster()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=6, gamma=0.5)
criterion = nn.MSELoss()


def evaluate():
    model.eval()
    se, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            se += ((model(xb) - yb) ** 2).sum().item()
            n += len(yb)
    return se / n


for epoch in range(1, 16):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(yb)
    scheduler.step()
    print(f"epoch {epoch:2d}  train mse {running / len(train_loader.dataset):.4f}  val mse {evaluate():.4f}")

val_mse = evaluate()
var = float(((yva - yva.mean()) ** 2).mean())
print(f"final val mse {val_mse:.4f}  val R2 {1 - val_mse / var:.4f}")
