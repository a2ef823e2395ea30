"""Near-infrared spectra -> analyte concentration (calibration model).

Written without torch.optim: plain SGD on the summed squared error of each batch, with the
step size expressed per sample (base_lr / batch_size), and the validation error accumulated
as a sum over the whole split and divided once at the end.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(3)
rng = np.random.default_rng(3)

WAVELENGTHS = np.linspace(900, 1700, 120)


def band(center, width):
    return np.exp(-0.5 * ((WAVELENGTHS - center) / width) ** 2)


def make_spectra(n):
    conc = rng.uniform(0, 1, (n, 3))                       # analyte + two interferents
    bands = np.stack([band(1200, 40) + 0.6 * band(1450, 30),
                      band(1190, 60) + 0.3 * band(1520, 50),
                      band(1400, 80)])
    baseline = rng.normal(0, 0.2, (n, 1)) + rng.normal(0, 0.1, (n, 1)) * (WAVELENGTHS - 1300) / 400
    scatter = rng.uniform(0.8, 1.2, (n, 1))
    spec = scatter * (conc @ bands) + baseline + rng.normal(0, 0.01, (n, len(WAVELENGTHS)))
    target = 10.0 * conc[:, 0] + 2.0 * conc[:, 0] * conc[:, 1]  # mildly non-linear
    return spec.astype(np.float32), target.astype(np.float32)


X, y = make_spectra(2400)
# first derivative (Savitzky-Golay style pre-treatment) removes the additive baseline
X = np.gradient(X, axis=1)
X_tr, y_tr, X_va, y_va = X[:2000], y[:2000], X[2000:], y[2000:]
x_mu, x_sd = X_tr.mean(0), X_tr.std(0) + 1e-8
y_mu, y_sd = y_tr.mean(), y_tr.std()
X_tr = torch.from_numpy((X_tr - x_mu) / x_sd); X_va = torch.from_numpy((X_va - x_mu) / x_sd)
t_tr = torch.from_numpy((y_tr - y_mu) / y_sd); t_va = torch.from_numpy((y_va - y_mu) / y_sd)

model = nn.Sequential(nn.Linear(120, 48), nn.Tanh(), nn.Linear(48, 1))

BATCH = 50
BASE_LR = 0.05          # per-sample step size is BASE_LR / BATCH because the loss is a sum
WEIGHT_DECAY = 1e-4
EPOCHS = 60


def val_rmse():
    model.eval()
    sse = 0.0
    with torch.no_grad():
        for i in range(0, len(X_va), 100):
            pred = model(X_va[i:i + 100]).squeeze(1)
            sse += ((pred - t_va[i:i + 100]) ** 2).sum().item()
    model.train()
    return (sse / len(X_va)) ** 0.5 * y_sd


lr = BASE_LR / BATCH
for epoch in range(EPOCHS):
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr), BATCH):
        idx = perm[i:i + BATCH]
        pred = model(X_tr[idx]).squeeze(1)
        loss = ((pred - t_tr[idx]) ** 2).sum()
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * (p.grad + WEIGHT_DECAY * BATCH * p)
    if epoch == 40:
        lr *= 0.2
    if (epoch + 1) % 10 == 0:
        print(f"epoch {epoch + 1:3d}  last batch SSE {loss.item():8.3f}  val RMSE {val_rmse():.3f}")

baseline = float(np.sqrt(np.mean((y_va - y_tr.mean()) ** 2)))
rmse = val_rmse()
print(f"baseline (predict training mean) RMSE {baseline:.3f}")
print(f"final val RMSE {rmse:.3f}  R2 {1 - rmse ** 2 / baseline ** 2:.3f}")
