"""Municipal snow clearing: predict how long a plough needs to clear a road segment (minutes) from the
segment, the storm and the assigned vehicle, to build the next storm's route plan. Targets are
log-minutes. MLP trunk + linear head, trained with a hand-written SGD loop.
"""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(8)
rng = np.random.default_rng(8)

LR = 0.05
EPOCHS = 25
BATCH = 64
lr_mult = {"trunk": 1e-3}
VEHICLES = ["pickup", "tandem_truck", "grader"]


def segments(n):
    length = rng.gamma(2.0, 0.6, n)                           # km
    lanes = rng.integers(1, 5, n)
    grade = np.abs(rng.normal(0, 3, n))                       # %
    snow = rng.gamma(2.0, 6.0, n)                             # cm
    density = rng.uniform(80, 400, n)                         # kg/m3, fresh powder .. wet slush
    temp = rng.normal(-4, 4, n)
    veh = rng.integers(0, 3, n)
    traffic = rng.gamma(2.0, 300, n)                          # vehicles/h
    parked = (rng.random(n) < 0.3).astype(float)
    salted = (rng.random(n) < 0.4).astype(float)
    base = np.array([30.0, 40.0, 22.0])[veh]
    cap = np.array([900.0, 3500.0, 8000.0])[veh]
    width = np.array([1.0, 1.5, 2.0])[veh]
    load = snow * density / 100
    speed = base / (1 + (load / cap * 100) ** 1.3) * (1 - 0.035 * grade) * (1 - 0.3 * parked) / (1 + traffic / 1500)
    passes = np.ceil(lanes / width)
    icy = ((temp > -2) & (temp < 1) & (salted == 0)).astype(float)
    minutes = 60 * length * passes / np.maximum(speed, 2.0) * (1 + 0.4 * icy) * rng.lognormal(0, 0.08, n)
    num = np.stack([length, lanes, grade, snow, density, temp, traffic], 1)
    cat = np.concatenate([np.eye(3)[veh], parked[:, None], salted[:, None]], 1)
    return num, cat, np.log(minutes)


num, cat, y = segments(6000)
n_tr = 4800
mu, sd = num[:n_tr].mean(0), num[:n_tr].std(0)
X = np.concatenate([(num - mu) / sd, cat], 1).astype(np.float32)
y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
y = ((y - y_mu) / y_sd).astype(np.float32)
X_tr, y_tr = torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])
X_va, y_va = torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])


class ClearTimeNet(nn.Module):
    def __init__(self, d_in, hidden=128):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                   nn.Linear(hidden, 64), nn.ReLU())
        self.head = nn.Linear(64, 1)

    def forward(self, x):
        return self.head(self.trunk(x)).squeeze(-1)


model = ClearTimeNet(X_tr.shape[1])
loss_fn = nn.MSELoss()

for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(X_tr))
    for b in range(0, len(perm), BATCH):
        j = perm[b:b + BATCH]
        loss = loss_fn(model(X_tr[j]), y_tr[j])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for name, p in model.named_parameters():
                p -= LR * lr_mult.get(name.split(".")[0], 1.0) * p.grad
    model.eval()
    with torch.no_grad():
        val_mse = loss_fn(model(X_va), y_va).item()
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d} train {loss.item():.4f} val mse {val_mse:.4f}")

with torch.no_grad():
    pred_min = torch.exp(model(X_va) * y_sd + y_mu)
    true_min = torch.exp(y_va * y_sd + y_mu)
mape = ((pred_min - true_min).abs() / true_min).mean().item()
print(f"final val MSE (standardised log-minutes) {val_mse:.4f}  R2 {1 - val_mse / y_va.var().item():.4f}  MAPE {100 * mape:.1f}%")
