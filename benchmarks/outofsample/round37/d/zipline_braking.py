"""Zip-line trolley braking: predict the stopping distance past the brake block (m) from the
speed / line-sag / wind trace of the last 60 samples of a ride. Heavy-tailed target (gusty days,
heavy riders), so Huber loss on robust-scaled targets; GRU encoder, routine gradient clipping,
an EMA copy of the weights for evaluation, early stopping on the EMA's validation MAE."""
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(4)
rng = np.random.default_rng(4)

N, T = 2000, 60
mass = rng.lognormal(4.3, 0.2, N)                         # rider kg
wind = rng.standard_t(3, N) * 2.0                         # heavy-tailed headwind, m/s
t = np.linspace(0, 1, T)
v0 = rng.normal(14, 2, N)
speed = v0[:, None] * (0.6 + 0.4 * np.sqrt(t))[None] - 0.08 * wind[:, None] * t[None] + rng.normal(0, 0.3, (N, T))
sag = (mass[:, None] / 75) * (0.8 + 0.2 * np.sin(6 * t))[None] + rng.normal(0, 0.05, (N, T))
gust = wind[:, None] + rng.normal(0, 1.0, (N, T))
X = np.stack([speed, sag, gust], -1).astype(np.float32)
v_end = speed[:, -10:].mean(1)
dist = 0.045 * mass * v_end ** 2 / (60 + 3 * np.clip(wind, -5, None)) + rng.gamma(1.2, 0.8, N)
y = dist.astype(np.float32)

idx = rng.permutation(N)
tr, va, te = idx[:1400], idx[1400:1700], idx[1700:]
mu, sd = X[tr].mean((0, 1)), X[tr].std((0, 1))
X = (X - mu) / sd
med, iqr = np.median(y[tr]), np.subtract(*np.percentile(y[tr], [75, 25]))
ys = ((y - med) / iqr).astype(np.float32)

mk = lambda ii, sh: DataLoader(TensorDataset(torch.tensor(X[ii]), torch.tensor(ys[ii])), batch_size=64, shuffle=sh)
train_dl, val_dl, test_dl = mk(tr, True), mk(va, False), mk(te, False)


class BrakeGRU(nn.Module):
    def __init__(self, d_in=3, hidden=48):
        super().__init__()
        self.gru = nn.GRU(d_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


def mae_m(model, loader):
    model.eval()
    err, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            err += ((model(xb) - yb).abs() * iqr).sum().item()
            n += len(yb)
    return err / n


model = BrakeGRU()
ema = copy.deepcopy(model).requires_grad_(False)
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
loss_fn = nn.HuberLoss(delta=1.0)
best, best_state, patience = float("inf"), None, 0
for epoch in range(24):
    model.train()
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 0.1)
    val_mae = mae_m(ema, val_dl)
    print(f"epoch {epoch + 1:2d} loss {loss.item():.4f} ema val MAE {val_mae:.3f} m")
    if val_mae < best - 1e-3:
        best, best_state, patience = val_mae, copy.deepcopy(ema.state_dict()), 0
    else:
        patience += 1
        if patience >= 4:
            print("early stop")
            break

ema.load_state_dict(best_state)
torch.save(ema, "/tmp/zipline_brake_ema_round37d.pt")
base = np.abs(y[te] - np.median(y[tr])).mean()
print(f"FINAL test_MAE={mae_m(ema, test_dl):.3f} m (median-predictor MAE {base:.3f} m)")
