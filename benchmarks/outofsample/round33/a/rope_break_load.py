"""Breaking-load prediction for synthetic-fibre and natural ropes from test-rig records.

Each row is one tensile test on the lab's horizontal bench: rope diameter, fibre,
construction, service history and test conditions; the target is the breaking load
in kN. MLP on standardised continuous columns plus one-hot categoricals, AdamW with
a one-cycle schedule stepped per batch.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2024)
rng = np.random.default_rng(2024)

FIBRES = {"polyester": 1.00, "nylon": 1.10, "hmpe": 3.20, "manila": 0.45, "polypropylene": 0.60}
BUILDS = {"3-strand": 0.90, "8-plait": 0.95, "double-braid": 1.10}


def tensile_tests(n):
    fibre = rng.integers(0, len(FIBRES), n)
    build = rng.integers(0, len(BUILDS), n)
    diam = rng.uniform(6, 32, n)                                  # mm
    age = rng.exponential(3.0, n)                                 # years in service
    uv = rng.gamma(2.0, 400, n) * (age > 0.2)                     # UV hours
    knotted = rng.random(n) < 0.25
    spliced = rng.random(n) < 0.4
    wet = rng.random(n) < 0.3
    strain_rate = rng.uniform(50, 300, n)                          # mm/min
    base = 0.19 * diam ** 2 * np.array(list(FIBRES.values()))[fibre] \
        * np.array(list(BUILDS.values()))[build]
    uv_sens = np.array([0.6, 1.0, 0.5, 1.4, 2.0])[fibre]
    strength = base * np.exp(-0.035 * age - 0.00012 * uv * uv_sens)
    strength *= np.where(knotted, 0.55 + 0.1 * (fibre == 3), 1.0)
    strength *= np.where(spliced, 0.90, 1.0)
    strength *= np.where(wet & (fibre == 1), 0.88, 1.0)
    strength *= 1 + 0.0004 * (strain_rate - 150)
    load = strength * rng.lognormal(0, 0.07, n)                  # kN
    cont = np.stack([diam, age, uv, strain_rate], 1)
    cats = np.concatenate([np.eye(len(FIBRES))[fibre], np.eye(len(BUILDS))[build],
                           np.stack([knotted, spliced, wet], 1)], 1)
    return cont, cats, load


cont, cats, load = tensile_tests(4000)
idx = rng.permutation(len(load))
tr, va = idx[:3200], idx[3200:]
c_mu, c_sd = cont[tr].mean(0), cont[tr].std(0)
y_log = np.log(load)
y_mu, y_sd = y_log[tr].mean(), y_log[tr].std()

X = np.concatenate([(cont - c_mu) / c_sd, cats], 1).astype(np.float32)
Y = ((y_log - y_mu) / y_sd).astype(np.float32)[:, None]

train_loader = DataLoader(TensorDataset(torch.tensor(X[tr]), torch.tensor(Y[tr])),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.tensor(X[va]), torch.tensor(Y[va])), batch_size=400)

model = nn.Sequential(
    nn.Linear(X.shape[1], 128), nn.SiLU(),
    nn.Linear(128, 128), nn.SiLU(),
    nn.Linear(128, 64), nn.SiLU(),
    nn.Linear(64, 1),
)
EPOCHS = 25
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=EPOCHS,
                                                steps_per_epoch=len(train_loader))
loss_fn = nn.MSELoss()


def validate():
    model.eval()
    sse, n, preds = 0.0, 0, []
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            sse += nn.functional.mse_loss(out, yb, reduction="sum").item()
            n += len(yb)
            preds.append(out)
    kn = np.exp(torch.cat(preds).squeeze(1).numpy() * y_sd + y_mu)
    truth = load[va]
    r2 = 1 - np.sum((kn - truth) ** 2) / np.sum((truth - truth.mean()) ** 2)
    mape = np.mean(np.abs(kn - truth) / truth)
    return sse / n, r2, mape


for epoch in range(EPOCHS):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        pred = model(xb)
        loss = loss_fn(pred, yb)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(xb)
    if (epoch + 1) % 5 == 0:
        vloss, r2, mape = validate()
        print(f"epoch {epoch + 1:2d} train_mse {total / len(tr):.4f} val_mse {vloss:.4f} "
              f"val_R2(kN) {r2:.3f} MAPE {mape:.3f}")

vloss, r2, mape = validate()
print(f"final val_mse {vloss:.4f} val_R2 {r2:.4f} val_MAPE {mape:.4f}")
