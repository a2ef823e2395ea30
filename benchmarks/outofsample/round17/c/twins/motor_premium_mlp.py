"""Motor insurance: predict log pure premium per policy-year from policy attributes.

Synthetic portfolio generated with a GLM-like structure (driver age curve, bonus-malus,
urban density, territory and vehicle make effects). Network: small MLP on the
ColumnTransformer output; trained with Adam and ReduceLROnPlateau, best checkpoint kept.
"""
import io

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from torch.utils.data import DataLoader, TensorDataset

SEED = 7
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

# ---------------------------------------------------------------- portfolio
N = 6000
N_TERRITORY, N_MAKE = 38, 12
driver_age = rng.uniform(18, 85, N)
vehicle_age = rng.gamma(2.0, 3.0, N).clip(0, 25)
bonus_malus = rng.choice([50, 55, 60, 68, 76, 85, 95, 100, 115, 130, 150], N,
                         p=[.30, .12, .10, .09, .08, .07, .07, .06, .05, .03, .03])
log_density = rng.normal(6.0, 1.4, N)
territory = rng.integers(0, N_TERRITORY, N)
make = rng.integers(0, N_MAKE, N)
diesel = rng.integers(0, 2, N)

territory_effect = rng.normal(0, 0.55, N_TERRITORY)
make_effect = rng.normal(0, 0.35, N_MAKE)
log_premium = (
    5.2
    + 0.9 * np.exp(-(driver_age - 18) / 9.0) + 0.004 * np.maximum(driver_age - 60, 0) ** 1.5 / 10
    - 0.03 * vehicle_age
    + 0.012 * (bonus_malus - 50)
    + 0.12 * (log_density - 6.0)
    + territory_effect[territory]
    + make_effect[make]
    + 0.08 * diesel
    + rng.normal(0, 0.25, N)
)

# columns: 0 driver_age, 1 vehicle_age, 2 bonus_malus, 3 log_density, 4 territory, 5 make, 6 diesel
table = np.column_stack([driver_age, vehicle_age, bonus_malus, log_density,
                         territory, make, diesel]).astype(np.float64)
num_cols = [0, 1, 2, 3]
cat_cols = [4, 5, 6]

X_tr, X_va, y_tr, y_va = train_test_split(table, log_premium, test_size=0.25, random_state=SEED)

prep = ColumnTransformer([
    ("num", StandardScaler(), num_cols),
    ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), cat_cols),
])
X_tr = prep.fit_transform(X_tr).astype(np.float32)
X_va = prep.transform(X_va).astype(np.float32)
y_mean, y_std = y_tr.mean(), y_tr.std()
t_tr = ((y_tr - y_mean) / y_std).astype(np.float32)
t_va = ((y_va - y_mean) / y_std).astype(np.float32)

train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(t_tr)),
                          batch_size=128, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(t_va)),
                         batch_size=512)


class PremiumNet(nn.Module):
    def __init__(self, d_in, hidden=64):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
        )
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


def evaluate(model, loader):
    model.eval()
    sse, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            sse += F.mse_loss(model(xb), yb, reduction="sum").item()
            n += yb.numel()
    return sse / n


model = PremiumNet(X_tr.shape[1])
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=3)

best_mse, best_blob = float("inf"), None
for epoch in range(1, 41):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.mse_loss(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * yb.numel()
    val_mse = evaluate(model, val_loader)
    scheduler.step(val_mse)
    if val_mse < best_mse:
        best_mse = val_mse
        buf = io.BytesIO()
        torch.save(model, buf)
        best_blob = buf.getvalue()
    if epoch % 10 == 0:
        print(f"epoch {epoch:2d}  train_mse {running / len(t_tr):.4f}  val_mse {val_mse:.4f}")

best = torch.load(io.BytesIO(best_blob), weights_only=False)
val_mse = evaluate(best, val_loader)
rmse_log = np.sqrt(val_mse) * y_std
r2 = 1.0 - val_mse * y_std ** 2 / y_va.var()
print(f"final: val R2 {r2:.4f}  RMSE(log premium) {rmse_log:.4f}")
