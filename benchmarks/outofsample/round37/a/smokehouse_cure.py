"""Cold-smoking cure model: predict weight loss (%) of a salmon side from the
smokehouse chamber log (temperature, relative humidity, smoke density, fan duty)
recorded every 15 min over a 12 h cycle."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
rng = np.random.default_rng(7)

N, T = 1600, 48


def chamber_logs(n):
    t = np.linspace(0, 1, T)
    base_temp = rng.uniform(18, 30, (n, 1))
    ramp = rng.uniform(-4, 6, (n, 1)) * t
    temp = base_temp + ramp + rng.normal(0, 0.6, (n, T))
    rh = np.clip(rng.uniform(55, 85, (n, 1)) - rng.uniform(0, 15, (n, 1)) * t + rng.normal(0, 1.5, (n, T)), 30, 99)
    smoke = np.abs(rng.uniform(0.2, 1.0, (n, 1)) * np.sin(np.pi * t * rng.uniform(1, 3, (n, 1))) + rng.normal(0, 0.05, (n, T)))
    fan = np.clip(rng.uniform(0.3, 1.0, (n, 1)) + rng.normal(0, 0.05, (n, T)), 0, 1)
    thickness = rng.uniform(2.0, 4.5, n)
    # drying rate ~ vapour-pressure deficit x airflow, slowed by fillet thickness
    vpd = 0.611 * np.exp(17.27 * temp / (temp + 237.3)) * (1 - rh / 100)
    rate = vpd * (0.4 + fan) / thickness[:, None]
    loss_pct = 2.5 * rate.mean(1) + 0.8 * smoke.mean(1) + rng.normal(0, 0.15, n)
    x = np.stack([temp, rh, smoke, fan], 1).astype(np.float32)
    x = np.concatenate([x, np.repeat(thickness[:, None, None], T, 2).astype(np.float32)], 1)
    return x, loss_pct.astype(np.float32)


X, y = chamber_logs(N)
n_tr = 1280
mu, sd = X[:n_tr].mean((0, 2), keepdims=True), X[:n_tr].std((0, 2), keepdims=True)
X = (X - mu) / sd
y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
yz = (y - y_mu) / y_sd

train_dl = DataLoader(TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(yz[:n_tr])), batch_size=64, shuffle=True)
val_x, val_y = torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])


class CureNet(nn.Module):
    def __init__(self, c_in=5, width=32):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(c_in, width, 5, padding=2), nn.ReLU(),
            nn.Conv1d(width, width, 5, padding=2, stride=2), nn.ReLU(),
            nn.Conv1d(width, width, 3, padding=1), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(2 * width, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        h = self.conv(x)
        h = torch.cat([h.mean(-1), h.amax(-1)], 1)
        return self.head(h).squeeze(-1)


model = CureNet()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
criterion = nn.MSELoss()

for epoch in range(1, 26):
    model.train()
    total = 0.0
    for xb, yb in train_dl:
        pred = model(xb)
        loss = criterion(pred, yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    scheduler.step()
    model.eval()
    with torch.no_grad():
        pv = model(val_x) * y_sd + y_mu
        mae = (pv - val_y).abs().mean().item()
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  train_mse {total / n_tr:.4f}  val_mae {mae:.3f} pct")

torch.save(model, "/tmp/smokehouse_cure_model.pt")
ss_res = ((pv - val_y) ** 2).sum().item()
ss_tot = ((val_y - val_y.mean()) ** 2).sum().item()
print(f"final val_mae {mae:.3f} pct  val_r2 {1 - ss_res / ss_tot:.3f}")
