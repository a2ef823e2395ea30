"""Hospital length of stay (days) at admission, from admission record fields.

Predicts log(LOS) with a ReLU MLP trained by a hand-written minibatch SGD update; reports the
validation RMSE in log-days and the median absolute error in days.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(31)
rng = np.random.default_rng(31)

N_DRG = 12


def admissions(n):
    age = np.clip(rng.normal(61, 18, n), 18, 99)
    emergency = (rng.random(n) < 0.55).astype(float)
    drg = rng.integers(0, N_DRG, n)
    comorb = rng.poisson(1.2 + 0.02 * (age - 60).clip(0), n)
    prior_adm = rng.poisson(0.6, n)
    creat = rng.lognormal(0.0, 0.35, n)
    hb = rng.normal(12.8, 1.8, n)
    weekend = (rng.random(n) < 2 / 7).astype(float)
    icu = (rng.random(n) < 0.08 + 0.1 * emergency).astype(float)
    lives_alone = (rng.random(n) < 0.25).astype(float)

    drg_base = rng.normal(1.2, 0.45, N_DRG)
    drg_age = rng.normal(0.0, 0.02, N_DRG)
    log_los = (drg_base[drg] + (0.012 + drg_age[drg]) * (age - 60) + 0.22 * np.sqrt(comorb)
               + 0.3 * emergency * np.tanh(comorb / 2) + 0.65 * icu
               + 0.9 * np.log(creat) ** 2 * (1 + icu) - 0.08 * (hb - 12.8) * (hb < 11)
               + 0.12 * weekend + 0.35 * lives_alone * (age > 75) + 0.06 * prior_adm
               + 0.4 * np.sin((age - 18) / 12) * (drg % 3 == 0)
               + rng.normal(0, 0.15, n))

    cont = np.column_stack([age, comorb, prior_adm, np.log(creat), hb])
    flags = np.column_stack([emergency, weekend, icu, lives_alone])
    return cont.astype(np.float32), flags.astype(np.float32), drg, log_los.astype(np.float32)


cont, flags, drg, y = admissions(10000)
n_tr = 8000
mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
X = np.hstack([(cont - mu) / sd, flags, np.eye(N_DRG, dtype=np.float32)[drg]])
y_mean, y_std = y[:n_tr].mean(), y[:n_tr].std()
X_tr, y_tr = torch.from_numpy(X[:n_tr]), torch.from_numpy((y[:n_tr] - y_mean) / y_std)
X_va, y_va = torch.from_numpy(X[n_tr:]), torch.from_numpy((y[n_tr:] - y_mean) / y_std)

model = nn.Sequential(
    nn.Linear(X.shape[1], 128), nn.ReLU(),
    nn.Linear(128, 128), nn.ReLU(),
    nn.Linear(128, 1),
)

lr = 0.1
batch_size = 64
epochs = 20
steps_per_epoch = math.ceil(n_tr / batch_size)

for epoch in range(epochs):
    model.train()
    perm = torch.randperm(n_tr)
    running = 0.0
    for i in range(steps_per_epoch):
        idx = perm[i * batch_size:(i + 1) * batch_size]
        pred = model(X_tr[idx]).squeeze(1)
        loss = F.mse_loss(pred, y_tr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item()

    model.eval()
    with torch.no_grad():
        val_pred = model(X_va).squeeze(1)
        val_loss = F.mse_loss(val_pred, y_va).item()
    print(f"epoch {epoch + 1:2d}  train_mse {running / steps_per_epoch:.4f}  val_mse {val_loss:.4f}")

rmse_log = math.sqrt(val_loss) * y_std
days_pred = np.exp(val_pred.numpy() * y_std + y_mean)
days_true = np.exp(y_va.numpy() * y_std + y_mean)
print(f"final val_rmse_log {rmse_log:.4f}  val_r2 {1 - val_loss / float(y_va.var(unbiased=False)):.4f}  "
      f"median_abs_err_days {np.median(np.abs(days_pred - days_true)):.2f}")
