"""State-of-health regression for Li-ion cells from cycling-log summary features.

Each row summarises one cell's last 50 cycles; the target is capacity retention (% of nominal).
Tanh MLP (smooth response surface, the physics people prefer it over ReLU kinks), Adam,
a ReduceLROnPlateau on the validation loss, evaluation with summed squared error.
"""
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)

N = 6000
cycles = rng.uniform(50, 1500, N)
temp = rng.normal(30, 6, N)
dod = rng.uniform(0.3, 1.0, N)
c_rate = rng.lognormal(0.0, 0.35, N)
rest_h = rng.exponential(2.0, N)
v_max = rng.normal(4.15, 0.04, N)
v_min = rng.normal(2.9, 0.08, N)
ir_mohm = rng.normal(22, 3, N) + 0.004 * cycles
dv_dq = rng.normal(0.0, 1.0, N) - 0.001 * cycles
cap_first = rng.normal(2.5, 0.05, N)
t_cc = 3600 / c_rate * dod + rng.normal(0, 60, N)
t_cv = rng.gamma(2.0, 300, N)

fade = (0.012 * cycles * (1 + 0.04 * (temp - 25)) * dod ** 1.3 * (1 + 0.25 * (c_rate - 1))
        + 3.0 * np.maximum(v_max - 4.15, 0) * 100 / 4 - 0.4 * np.log1p(rest_h))
soh = 100 - fade + 0.08 * (ir_mohm - 22) * -1 + 1.5 * np.tanh(dv_dq) + rng.normal(0, 0.8, N)

X = np.stack([cycles, temp, dod, c_rate, rest_h, v_max, v_min, ir_mohm, dv_dq, cap_first,
              t_cc, t_cv], 1).astype(np.float32)
y = soh.astype(np.float32)

idx = rng.permutation(N)
tr, va = idx[:4800], idx[4800:]
mu, sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()
Xn = (X - mu) / sd
yn = (y - y_mu) / y_sd

train_ds = TensorDataset(torch.from_numpy(Xn[tr]), torch.from_numpy(yn[tr]))
val_ds = TensorDataset(torch.from_numpy(Xn[va]), torch.from_numpy(yn[va]))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256)


class SOHNet(nn.Module):
    def __init__(self, n_in, width=256):
        super().__init__()
        self.hidden = nn.ModuleList([nn.Linear(n_in, width), nn.Linear(width, width),
                                     nn.Linear(width, width)])
        self.out = nn.Linear(width, 1)
        for layer in self.hidden:
            nn.init.normal_(layer.weight, mean=0.0, std=1.0 / math.sqrt(layer.in_features))
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        for layer in self.hidden:
            x = torch.tanh(layer(x))
        return self.out(x).squeeze(-1)


model = SOHNet(X.shape[1])
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)
criterion = nn.MSELoss()


def evaluate():
    model.eval()
    sse, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            sse += nn.functional.mse_loss(model(xb), yb, reduction="sum").item()
            n += len(yb)
    return sse / n


for epoch in range(1, 16):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
    val_mse = evaluate()
    scheduler.step(val_mse)
    rmse_pct = math.sqrt(val_mse) * y_sd
    print(f"epoch {epoch:2d} train_mse {total / len(train_ds):.4f} val_mse {val_mse:.4f} "
          f"val_rmse {rmse_pct:.3f} %SOH")

print(f"final val_rmse {rmse_pct:.3f} %SOH")
