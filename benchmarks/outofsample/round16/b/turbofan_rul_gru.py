"""Remaining-useful-life estimation for turbofan engines from multivariate sensor histories.

Each sample is the last 120 cycles of 14 sensors of one engine run; the target is the remaining
useful life, capped at 125 cycles (piecewise-linear degradation labelling, as usual for C-MAPSS-
style data) and scaled by the cap. A GRU reads the whole window; AdamW with a linear warm-up and
cosine decay stepped every batch, gradient-norm clipping at 1.0 as routine insurance.
"""
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(4)
rng = np.random.default_rng(4)
N_SENS, WIN, CAP = 14, 120, 125.0


def engine_window():
    life = rng.integers(160, 360)
    end = rng.integers(WIN, life + 1)            # where the observation stops
    cyc = np.arange(end - WIN, end)
    onset = life * rng.uniform(0.35, 0.6)
    health = np.clip((cyc - onset) / (life - onset), 0, None) ** 1.6
    sens = rng.normal(0, 1, N_SENS)[None] * 0.2
    gains = np.linspace(-1.5, 1.8, N_SENS)[None] * (1 + 0.1 * rng.standard_normal(N_SENS))[None]
    x = sens + gains * health[:, None] + 0.35 * rng.standard_normal((WIN, N_SENS))
    rul = min(life - end, CAP)
    return x.astype(np.float32), np.float32(rul / CAP)


data = [engine_window() for _ in range(1800)]
X = np.stack([d[0] for d in data])
y = np.array([d[1] for d in data])
idx = rng.permutation(len(X))
tr, va = idx[:1440], idx[1440:]
mu, sd = X[tr].reshape(-1, N_SENS).mean(0), X[tr].reshape(-1, N_SENS).std(0)
X = (X - mu) / sd
train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
                          batch_size=48, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
                        batch_size=360)


class RULNet(nn.Module):
    def __init__(self, n_in, hidden=48):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


model = RULNet(N_SENS)
EPOCHS = 10
total_steps = EPOCHS * len(train_loader)
warmup = 40
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup
    else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total_steps - warmup))))
criterion = nn.MSELoss()

for epoch in range(1, EPOCHS + 1):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(yb)
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(xb) for xb, _ in val_loader])
        tgt = torch.cat([yb for _, yb in val_loader])
    rmse = ((pred - tgt) ** 2).mean().sqrt().item() * CAP
    print(f"epoch {epoch:2d} train_mse {total / len(tr):.4f} val_rmse {rmse:.2f} cycles "
          f"lr {scheduler.get_last_lr()[0]:.2e}")

baseline = ((tgt - y[tr].mean()) ** 2).mean().sqrt().item() * CAP
print(f"final val_rmse {rmse:.2f} cycles (constant predictor {baseline:.2f})")
