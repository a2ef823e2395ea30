"""Contact-wire wear on tram overhead lines.

Predicts the wear (mm of copper lost per 100k pantograph passes) of a catenary span
from inspection-car measurements and traffic logs. MLP regressor, SGD with momentum,
cosine schedule stepped per epoch.
"""
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

cfg = dict(lr=0.05, momentum=0.9, weight_decay=1e-4, clip=1.0, epochs=25, batch_size=64, seed=7)

torch.manual_seed(cfg["seed"])
rng = np.random.default_rng(cfg["seed"])


def make_spans(n):
    passes = rng.gamma(4.0, 2.5, n)                 # thousand passes / day
    current = rng.normal(420, 80, n)                # A drawn at the span
    speed = rng.uniform(15, 60, n)                  # km/h
    stagger = rng.normal(0, 120, n)                 # mm zig-zag offset
    tension = rng.normal(10.5, 1.2, n)              # kN
    curve = rng.exponential(1.0, n) * (rng.random(n) < 0.3)
    frog = (rng.random(n) < 0.15).astype(float)     # section insulator / frog in span
    age = rng.uniform(0, 25, n)                     # years since re-wiring
    contact_force = 70 + 0.02 * speed ** 2 - 3 * (tension - 10.5) + rng.normal(0, 5, n)
    wear = (0.08 * passes * (1 + 0.002 * (current - 420)) * (contact_force / 80) ** 1.5
            + 0.6 * frog + 0.4 * curve * np.abs(stagger) / 120
            + 0.03 * age + 0.25 * np.sin(speed / 9.0)
            + rng.normal(0, 0.15, n))
    X = np.stack([passes, current, speed, stagger, tension, curve, frog, age], 1)
    return X.astype(np.float32), wear.astype(np.float32)


X, y = make_spans(3000)
n_tr = 2400
mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
X = (X - mu) / sd
y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
y = (y - y_mu) / y_sd

train_ds = TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr]))
val_ds = TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:]))
train_loader = DataLoader(train_ds, batch_size=cfg["batch_size"], shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256)

model = nn.Sequential(
    nn.Linear(8, 96), nn.ReLU(),
    nn.Linear(96, 96), nn.ReLU(),
    nn.Linear(96, 1),
)
optimizer = torch.optim.SGD(model.parameters(), lr=cfg["lr"], momentum=cfg["momentum"],
                            weight_decay=cfg["weight_decay"])
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg["epochs"], eta_min=1e-3)
loss_fn = nn.MSELoss()


def train_epoch():
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb).squeeze(-1), yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip"])
        optimizer.step()
        total += loss.item() * len(xb)
    return total / len(train_ds)


@torch.no_grad()
def evaluate():
    model.eval()
    se, n = 0.0, 0
    for xb, yb in val_loader:
        se += ((model(xb).squeeze(-1) - yb) ** 2).sum().item()
        n += len(xb)
    return se / n


for epoch in range(1, cfg["epochs"] + 1):
    tr = train_epoch()
    va = evaluate()
    scheduler.step()
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  train mse {tr:.4f}  val mse {va:.4f}  lr {scheduler.get_last_lr()[0]:.4f}")

va = evaluate()
rmse_mm = math.sqrt(va) * y_sd
print(f"final val R2 {1 - va:.4f}  val RMSE {rmse_mm:.3f} mm/100k passes")
