"""Hours until a wine fermentation goes dry, from the first four days of tank telemetry.

Each tank logs density (as Brix), must temperature and CO2 outflow every hour; the model reads
the first 96 hours and predicts the remaining hours until residual sugar is below 2 g/L.
Sluggish and stuck ferments make the target heavy-tailed, so the loss is Huber on the
standardised target. GRU encoder, warm-up then cosine LR per batch, gradient clipping.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(21)
rng = np.random.default_rng(21)

T_OBS = 96


def simulate_tanks(n):
    """Logistic sugar depletion with tank-specific rate, lag and stall (nitrogen deficiency)."""
    t = np.arange(T_OBS)[None, :]
    brix0 = rng.normal(24.0, 1.5, (n, 1))
    temp_set = rng.normal(18.0, 3.0, (n, 1))
    yan = rng.lognormal(np.log(180), 0.35, (n, 1))             # yeast-assimilable nitrogen
    rate = 0.045 * np.exp(0.07 * (temp_set - 18.0)) * (yan / 180.0) ** 0.5
    lag = rng.gamma(3.0, 5.0, (n, 1))
    stall = (rng.random((n, 1)) < 0.15) * rng.uniform(0.35, 0.8, (n, 1))   # slows late
    progress = 1.0 / (1.0 + np.exp(-rate * (t - lag - 60.0)))
    brix = brix0 * (1 - progress * (1 - 0.4 * stall)) + rng.normal(0, 0.15, (n, T_OBS))
    temp = temp_set + 4.0 * progress * (1 - progress) * 4 + rng.normal(0, 0.3, (n, T_OBS))
    co2 = brix0 * rate * progress * (1 - progress) * 10 + rng.normal(0, 0.05, (n, T_OBS))
    # hours from the end of the window until progress reaches 0.99, stretched by the stall
    t_dry = lag[:, 0] + 60.0 + np.log(99.0) / rate[:, 0]
    remaining = (t_dry - T_OBS) * (1 + 3.0 * stall[:, 0]) + rng.normal(0, 4.0, n)
    x = np.stack([brix, temp, co2], -1).astype(np.float32)
    return x, np.maximum(remaining, 1.0).astype(np.float32)


x, y = simulate_tanks(1000)
n_tr = 800
x_mu, x_sd = x[:n_tr].reshape(-1, 3).mean(0), x[:n_tr].reshape(-1, 3).std(0)
y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
xs = (x - x_mu) / x_sd
ys = (y - y_mu) / y_sd
train_loader = DataLoader(TensorDataset(torch.from_numpy(xs[:n_tr]), torch.from_numpy(ys[:n_tr])),
                          batch_size=32, shuffle=True)
x_val, y_val_hours = torch.from_numpy(xs[n_tr:]), torch.from_numpy(y[n_tr:])


class FermentGRU(nn.Module):
    def __init__(self, n_in=3, hidden=48):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


model = FermentGRU()
EPOCHS = 14
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
total_steps = EPOCHS * len(train_loader)
warmup = 40


def lr_lambda(step):
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total_steps - warmup)
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
criterion = nn.HuberLoss(delta=1.0)


def validate():
    model.eval()
    with torch.no_grad():
        pred_s = model(x_val)
        loss = criterion(pred_s, (y_val_hours - y_mu) / y_sd).item()
        mae = (pred_s * y_sd + y_mu - y_val_hours).abs().mean().item()
    return loss, mae


baseline_mae = (y_val_hours - np.median(y[:n_tr])).abs().mean().item()
for epoch in range(EPOCHS):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        running += loss.item()
    val_loss, val_mae = validate()
    print(f"epoch {epoch + 1:2d} lr {scheduler.get_last_lr()[0]:.2e} train_huber {running / len(train_loader):.4f} "
          f"val_huber {val_loss:.4f} val_mae_h {val_mae:.1f}")

val_loss, val_mae = validate()
print(f"final val_huber={val_loss:.4f} val_mae_hours={val_mae:.1f} (median-predictor mae {baseline_mae:.1f})")
