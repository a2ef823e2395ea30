"""Varnish batch outcome for a violin workshop.

Every oil varnish batch is cooked, brushed on test panels and judged after
curing: good, tacky, crazed, cloudy or wrinkled. We learn the outcome from the
cook and cure log so that a batch can be checked before it goes on an
instrument. Small tanh MLP, trained with a hand-rolled momentum SGD loop that
matches the shop's older tooling.
"""
import numpy as np
import torch
from torch import nn

SEED = 21
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

OUTCOMES = ["good", "tacky", "crazed", "cloudy", "wrinkled"]
COLUMNS = ["resin_frac", "oil_frac", "turps_frac", "cook_temp_c", "cook_min", "pigment_g_per_l",
           "coat_um", "n_coats", "uv_hours", "cure_temp_c", "humidity_pct", "days_between",
           "drier_ppm", "panel_moisture_pct"]


def read_batches(n):
    resin = rng.uniform(0.2, 0.55, n)
    oil = rng.uniform(0.25, 0.6, n)
    turps = 1.0 - resin - oil + rng.normal(0, 0.02, n)
    cook_t = rng.normal(285, 12, n)
    cook_min = rng.gamma(6, 10, n)
    pigment = rng.gamma(2, 1.5, n)
    coat = rng.normal(22, 6, n)
    coats = rng.integers(2, 9, n).astype(float)
    uv = rng.gamma(4, 12, n)
    cure_t = rng.normal(24, 4, n)
    hum = rng.uniform(25, 85, n)
    days = rng.gamma(2, 1.5, n)
    drier = rng.gamma(3, 120, n)
    panel_m = rng.normal(8, 1.5, n)
    X = np.stack([resin, oil, turps, cook_t, cook_min, pigment, coat, coats, uv, cure_t, hum, days,
                  drier, panel_m], axis=1)
    z = (X - X.mean(0)) / X.std(0)
    R, O, _, CT, CM, P, C, NC, UV, TT, H, D, DR, PM = z.T
    score = np.stack([
        np.zeros(n) + 0.8,
        1.4 * O - 1.2 * UV - 0.9 * DR + 0.5 * np.maximum(-TT, 0) ** 2,     # tacky: under-cured oil
        1.1 * C + 0.8 * NC - 1.0 * D + 0.9 * R * CT,                       # crazed: thick, rushed
        1.3 * H + 0.7 * PM - 0.6 * D + 0.6 * np.tanh(2 * CM),              # cloudy: damp
        1.2 * O * C + 0.8 * DR - 0.5 * CM + 0.4 * P,                       # wrinkled: skins over
    ], axis=1)
    score += rng.gumbel(0, 0.45, size=score.shape)
    return X.astype(np.float32), score.argmax(1)


X, y = read_batches(8000)
X_train, y_train, X_val, y_val = X[:6500], y[:6500], X[6500:], y[6500:]
mean, std = X_train.mean(0), X_train.std(0)
X_train = torch.from_numpy((X_train - mean) / std)
X_val = torch.from_numpy((X_val - mean) / std)
y_train, y_val = torch.from_numpy(y_train), torch.from_numpy(y_val)
print("class shares:", np.round(np.bincount(y, minlength=5) / len(y), 2))

model = nn.Sequential(
    nn.Linear(len(COLUMNS), 64), nn.Tanh(),
    nn.Linear(64, 64), nn.Tanh(),
    nn.Linear(64, len(OUTCOMES)),
)
criterion = nn.CrossEntropyLoss()

LR = 0.3
MOMENTUM = 0.9
BATCH_SIZE = 64
EPOCHS = 20
velocity = [torch.zeros_like(p) for p in model.parameters()]

for epoch in range(1, EPOCHS + 1):
    model.train()
    order = torch.randperm(len(X_train))
    epoch_loss = 0.0
    for start in range(0, len(X_train), BATCH_SIZE):
        idx = order[start:start + BATCH_SIZE]
        loss = criterion(model(X_train[idx]), y_train[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(MOMENTUM).add_(p.grad)
                p -= LR * v
        epoch_loss += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        logits = model(X_val)
        val_loss = criterion(logits, y_val).item()
        val_acc = (logits.argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch:2d} | train loss {epoch_loss / len(X_train):.4f} | "
          f"val loss {val_loss:.4f} | val acc {val_acc:.3f}")

print(f"final validation accuracy: {val_acc:.3f}")
