"""Dog-sled teams: estimate the remaining-stage pace drop (min/km) of a team from the
last 160 gangline samples (tension, sled speed, grade, snow temperature), one sample
every 5 s. A GRU over the whole window, gradient-norm clipping, cosine decay per epoch,
and the final model saved whole and reloaded for the report.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
rng = np.random.default_rng(21)

T, N = 160, 1050


def make_team():
    fatigue = rng.uniform(0, 1)
    onset = rng.integers(25, 135)
    t = np.arange(T)
    grade = np.cumsum(rng.normal(0, 0.15, T)); grade -= grade.mean(); grade /= (np.abs(grade).max() + 1e-6)
    snow_temp = rng.uniform(-25, -2) + rng.normal(0, 0.3, T)
    decay = np.where(t > onset, fatigue * (t - onset) / T, 0.0)
    tension = 1.0 - 0.8 * decay + 0.3 * grade + rng.normal(0, 0.12, T)
    speed = 18 - 6 * decay - 3 * grade + 0.05 * (snow_temp + 12) + rng.normal(0, 0.6, T)
    target = 0.2 + 2.5 * fatigue * (T - onset) / T + 0.015 * abs(snow_temp[-1] + 10) + rng.normal(0, 0.08)
    x = np.stack([tension, (speed - 15) / 3, grade, (snow_temp + 12) / 7], axis=1)
    return x.astype(np.float32), np.float32(target)


data = [make_team() for _ in range(N)]
X = torch.from_numpy(np.stack([d[0] for d in data]))
y = torch.from_numpy(np.array([d[1] for d in data]))[:, None]
ymu, ysd = y[:800].mean(), y[:800].std()
train_loader = DataLoader(TensorDataset(X[:800], (y[:800] - ymu) / ysd), batch_size=32, shuffle=True)
val_X, val_y = X[800:], y[800:]


class PaceGRU(nn.Module):
    def __init__(self, n_in=4, hidden=32):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, h = self.gru(x)
        return self.head(h[-1])


model = PaceGRU()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
epochs = 10
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs, eta_min=1e-4)
loss_fn = nn.MSELoss()

for epoch in range(epochs):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        total += loss.item() * len(xb)
    scheduler.step()
    model.eval()
    with torch.no_grad():
        pred = model(val_X) * ysd + ymu
        val_mae = (pred - val_y).abs().mean().item()
    print(f"epoch {epoch + 1:2d}  train_mse {total / 800:.4f}  val_mae {val_mae:.3f} min/km")

torch.save(model, "/tmp/sled_team_gru.pt")
reloaded = torch.load("/tmp/sled_team_gru.pt", weights_only=False)
reloaded.eval()
with torch.no_grad():
    pred = reloaded(val_X) * ysd + ymu
r2 = 1 - ((pred - val_y) ** 2).sum() / ((val_y - val_y.mean()) ** 2).sum()
print(f"final val_mae {(pred - val_y).abs().mean().item():.3f} min/km  val_r2 {r2.item():.3f}")
