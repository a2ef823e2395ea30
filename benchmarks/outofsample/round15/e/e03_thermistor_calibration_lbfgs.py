"""Calibrating a cheap thermistor board against a reference probe.

Inputs: raw ADC counts of two NTC thermistors, board humidity, supply voltage, self-heating current.
Target: the reference temperature in deg C. Full-batch L-BFGS with a strong-Wolfe line search on a
small tanh MLP (the classic choice for smooth, low-noise calibration curves).
"""
import numpy as np
import torch
from torch import nn
from sklearn.linear_model import LinearRegression

torch.manual_seed(3)
rng = np.random.default_rng(3)


def simulate(n):
    temp_c = rng.uniform(-20, 85, n)
    t_k = temp_c + 273.15
    vcc = rng.normal(3.3, 0.05, n)
    humidity = rng.uniform(10, 90, n)
    current = rng.uniform(0.05, 0.4, n)                     # mA, causes self-heating
    b_values = (3950.0, 3435.0)
    cols = []
    for b in b_values:
        r = 10_000 * np.exp(b * (1 / (t_k + 8.0 * current) - 1 / 298.15))   # NTC resistance
        v = vcc * r / (r + 10_000)                                             # divider
        adc = np.round(4095 * v / 3.3 + rng.normal(0, 1.5, n))
        cols.append(adc)
    X = np.column_stack(cols + [humidity, vcc, current]).astype(np.float32)
    y = (temp_c + 0.004 * (humidity - 50) + rng.normal(0, 0.08, n)).astype(np.float32)
    return X, y


X_train, y_train = simulate(1500)
X_val, y_val = simulate(500)

x_mean, x_std = X_train.mean(0), X_train.std(0)
y_mean, y_std = y_train.mean(), y_train.std()

def prep(X, y):
    return torch.from_numpy((X - x_mean) / x_std), torch.from_numpy((y - y_mean) / y_std)[:, None]

xtr, ytr = prep(X_train, y_train)
xva, yva = prep(X_val, y_val)

model = nn.Sequential(nn.Linear(5, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=20,
                              line_search_fn="strong_wolfe", tolerance_grad=1e-9, tolerance_change=1e-12)


def closure():
    optimizer.zero_grad()
    loss = loss_fn(model(xtr), ytr)
    loss.backward()
    return loss


for epoch in range(1, 31):
    model.train()
    optimizer.step(closure)
    if epoch % 5 == 0:
        model.eval()
        with torch.no_grad():
            train_loss = loss_fn(model(xtr), ytr).item()
            val_loss = loss_fn(model(xva), yva).item()
        print(f"epoch {epoch:2d}  train mse {train_loss:.5f}  val mse {val_loss:.5f}")

model.eval()
with torch.no_grad():
    pred_c = model(xva).squeeze(1).numpy() * y_std + y_mean
rmse = float(np.sqrt(np.mean((pred_c - y_val) ** 2)))
lin = LinearRegression().fit(X_train, y_train)
rmse_lin = float(np.sqrt(np.mean((lin.predict(X_val) - y_val) ** 2)))
rmse_mean = float(np.sqrt(np.mean((y_mean - y_val) ** 2)))
print(f"FINAL val RMSE={rmse:.3f} C (linear calibration {rmse_lin:.3f} C, constant mean {rmse_mean:.3f} C)")
