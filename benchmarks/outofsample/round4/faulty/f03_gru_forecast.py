"""One-step-ahead forecasting of noisy multi-seasonal series with a GRU (dropout on the head)."""
import math
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

# generate 300 series of length 64 with random periods/phases; predict the next value
def make_series(n, length=65):
    t = np.arange(length)[None, :]
    p1 = rng.uniform(8, 20, (n, 1)); p2 = rng.uniform(25, 40, (n, 1))
    ph = rng.uniform(0, 2 * math.pi, (n, 2))
    s = np.sin(2 * math.pi * t / p1 + ph[:, :1]) + 0.5 * np.sin(2 * math.pi * t / p2 + ph[:, 1:])
    s += 0.1 * rng.standard_normal(s.shape)
    return s.astype("float32")

S = make_series(1200)
X, y = S[:, :-1, None], S[:, -1:]
ntr = 1000
train_loader = DataLoader(TensorDataset(torch.tensor(X[:ntr]), torch.tensor(y[:ntr])), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.tensor(X[ntr:]), torch.tensor(y[ntr:])), batch_size=100)


class Forecaster(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(hidden, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 1))

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


def evaluate(model, loader):
    se, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            se += ((model(xb) - yb) ** 2).sum().item()
            n += len(yb)
    return se / n


model = Forecaster()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)
criterion = nn.MSELoss()

for epoch in range(12):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    val_mse = evaluate(model, val_loader)
    scheduler.step(val_mse)
    print(f"epoch {epoch+1} train_loss {loss.item():.4f} val_mse {val_mse:.4f}")

print(f"final val_mse {val_mse:.4f}")
