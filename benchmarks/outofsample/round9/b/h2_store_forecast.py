"""7-day-ahead demand forecast for 30 stores (simulated daily sales) with an LSTM.

Each window is scaled by the mean of its own 28-day history (the network sees and predicts
ratios to the recent level, so big and small stores share one model); predictions are scaled
back before scoring. Split in time: the last 10 weeks of every store are held out.
Compared against the seasonal-naive forecast (same weekday last week).
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(8)
rng = np.random.default_rng(8)
N_STORES, DAYS, HIST, H = 30, 420, 28, 7

t = np.arange(DAYS)
series = []
for s in range(N_STORES):
    level = rng.lognormal(4.5, 0.8)
    weekly = 1 + rng.uniform(0.1, 0.4) * np.sin(2 * np.pi * (t + rng.integers(0, 7)) / 7)
    trend = 1 + rng.normal(0, 0.0008) * t
    yearly = 1 + 0.15 * np.sin(2 * np.pi * t / 365 + rng.uniform(0, 6.3))
    promo = 1 + 0.5 * (rng.random(DAYS) < 0.04)
    series.append(rng.poisson(level * weekly * trend * yearly * promo).astype(np.float32))
series = np.stack(series)
split = DAYS - 70


class WindowDataset(Dataset):
    def __init__(self, data, start, end):
        self.data = data
        self.index = [(s, i) for s in range(len(data)) for i in range(start, end - HIST - H + 1)]

    def __len__(self):
        return len(self.index)

    def __getitem__(self, k):
        s, i = self.index[k]
        hist = self.data[s, i:i + HIST]
        fut = self.data[s, i + HIST:i + HIST + H]
        scale = hist.mean() + 1.0
        dow = np.eye(7, dtype=np.float32)[(np.arange(i, i + HIST)) % 7]
        x = np.column_stack([hist / scale, dow])
        return torch.from_numpy(x), torch.from_numpy(fut / scale), torch.tensor(scale)


train_ds = WindowDataset(series, 0, split)
val_ds = WindowDataset(series, split - HIST, DAYS)
train_loader = DataLoader(train_ds, batch_size=128, shuffle=True, num_workers=0)
val_loader = DataLoader(val_ds, batch_size=512, num_workers=0)


class Forecaster(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.lstm = nn.LSTM(8, hidden, batch_first=True)
        self.head = nn.Linear(hidden, H)

    def forward(self, x):
        out, _ = self.lstm(x)
        return 1.0 + self.head(out[:, -1])


model = Forecaster()
criterion = nn.HuberLoss(delta=0.5)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=1)


def evaluate():
    model.eval()
    total, abs_err, naive_err, n = 0.0, 0.0, 0.0, 0
    with torch.no_grad():
        for x, yb, scale in val_loader:
            pred = model(x)
            total += nn.functional.huber_loss(pred, yb, delta=0.5, reduction="sum").item()
            abs_err += ((pred - yb).abs() * scale[:, None]).sum().item()
            naive = x[:, -7:, 0]
            naive_err += ((naive - yb).abs() * scale[:, None]).sum().item()
            n += yb.numel()
    return total / n, abs_err / n, naive_err / n


for epoch in range(6):
    model.train()
    for x, yb, _ in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(x), yb)
        loss.backward()
        optimizer.step()
    val_loss, mae, naive_mae = evaluate()
    scheduler.step(val_loss)
    print(f"epoch {epoch + 1} train_loss {loss.item():.4f} val_loss {val_loss:.4f} MAE {mae:.2f}")

val_loss, mae, naive_mae = evaluate()
print(f"final val MAE {mae:.2f} (seasonal naive {naive_mae:.2f}) val_loss {val_loss:.4f}")
