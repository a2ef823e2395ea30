"""Daily milk yield per cow: pretrain on a regional herd-recording set, adapt to one farm.

Region: 6,000 test-day records from many herds. Target farm: 260 records from a herd that
switched to robotic milking (more milkings, higher yield, stronger response to feed).
The first layer is kept frozen during adaptation and the rest is fine-tuned with a small LR,
so 200 farm records do not wash out what the regional data taught.
"""
import io

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(17)
rng = np.random.default_rng(17)
COLS = ["parity", "dim", "holstein_frac", "bcs", "dmi", "prev305", "thi", "milkings"]


def test_days(n, robotic=False):
    parity = rng.integers(1, 7, n)
    dim = rng.uniform(5, 330, n)                                   # days in milk
    hol = rng.beta(5, 1.5, n)
    bcs = rng.normal(3.0, 0.35, n)
    dmi = rng.normal(22, 3, n) + (2.0 if robotic else 0.0)
    prev = rng.normal(9500, 1400, n) * (parity > 1) + 0.0
    thi = rng.normal(62, 8, n)
    milkings = rng.choice([3.0, 2.6, 3.2], n) if robotic else rng.choice([2.0, 3.0], n, p=[0.8, 0.2])
    wood = 24 * (dim / 50) ** 0.2 * np.exp(-dim / 300)             # Wood lactation curve shape
    feed_gain = 1.1 if robotic else 0.6
    herd = 3.5 if robotic else 0.0                                 # genetics, management
    y = (wood + 4.0 * hol + 1.5 * np.minimum(parity, 3) + feed_gain * (dmi - 22)
         + 0.0006 * (prev - 9500) * (parity > 1) - 0.12 * np.clip(thi - 68, 0, None)
         - 1.8 * (bcs - 3.0) ** 2 + 2.2 * (milkings - 2) + herd + rng.normal(0, 2.2, n))
    X = np.column_stack([parity, dim, hol, bcs, dmi, prev, thi, milkings]).astype(np.float32)
    return X, y.astype(np.float32)


def net():
    return nn.Sequential(nn.Linear(len(COLS), 64), nn.GELU(), nn.Linear(64, 64), nn.GELU(), nn.Linear(64, 1))


def fit(model, X, y, params, lr, epochs, batch):
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(X))
        for i in range(0, len(X), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            F.mse_loss(model(X[idx]).squeeze(-1), y[idx]).backward()
            opt.step()


def rmse_kg(model, X, y):
    model.eval()
    with torch.no_grad():
        return (torch.sqrt(F.mse_loss(model(X).squeeze(-1), y)) * y_sd).item()


XA, yA = test_days(6000)
XB, yB = test_days(260, robotic=True)
mu, sd = XA.mean(0), XA.std(0)
y_mu, y_sd = yA.mean(), yA.std()
tens = lambda a: torch.tensor(a, dtype=torch.float32)
XA_t, yA_t = tens((XA - mu) / sd), tens((yA - y_mu) / y_sd)
XB_t, yB_t = tens((XB - mu) / sd), tens((yB - y_mu) / y_sd)
XBtr, yBtr, XBva, yBva = XB_t[:200], yB_t[:200], XB_t[200:], yB_t[200:]

regional = net()
fit(regional, XA_t[:5400], yA_t[:5400], regional.parameters(), lr=2e-3, epochs=12, batch=64)
print(f"regional val_rmse {rmse_kg(regional, XA_t[5400:], yA_t[5400:]):.2f} kg")

buf = io.BytesIO()
torch.save(regional.state_dict(), buf)
buf.seek(0)
farm = net()
farm.load_state_dict(torch.load(buf))
print(f"farm zero-shot val_rmse {rmse_kg(farm, XBva, yBva):.2f} kg")

for p in farm[0].parameters():
    p.requires_grad_(False)
fit(farm, XBtr, yBtr, [p for p in farm.parameters() if p.requires_grad], lr=1e-4, epochs=40, batch=16)
adapted = rmse_kg(farm, XBva, yBva)

scratch = net()
fit(scratch, XBtr, yBtr, scratch.parameters(), lr=2e-3, epochs=40, batch=16)
print(f"farm trained from scratch val_rmse {rmse_kg(scratch, XBva, yBva):.2f} kg")
print(f"final farm val_rmse_kg {adapted:.3f}")
