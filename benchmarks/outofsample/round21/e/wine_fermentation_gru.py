# Predicting residual sugar at day 14 of a wine fermentation from the first 5 days of
# tank sensors (density, must temperature, CO2 flow), logged every 40 minutes: 180 steps.
# A GRU reads the whole curve; the target (g/L) is standardised with training statistics.
# Gradient-norm clipping is routine insurance for the recurrence; early stopping on the
# validation MSE with patience keeps the best weights. Split by winery, not by tank.
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(14)
rng = np.random.default_rng(14)
torch.set_num_threads(1)
T, DT = 180, 40 / 60 / 24                # steps, days per step

def sugar_curve(t, s0, r, th, t_stall):
    tau = np.where(t < t_stall, t, t_stall + 0.15 * (t - t_stall))   # stuck: kinetics collapse
    return s0 / (1 + np.exp(r * (tau - th))) + 1.5


def tank(winery_temp_bias):
    s0 = rng.normal(230, 18)                                  # initial sugar g/L
    yan = rng.lognormal(np.log(220), 0.35)                    # yeast assimilable nitrogen mg/L
    temp_set = rng.normal(17, 2.5) + winery_temp_bias
    r = 0.9 * (yan / 220) ** 0.5 * np.exp(0.06 * (temp_set - 17)) * rng.lognormal(0, 0.1)
    th = 5.5 / (yan / 220) ** 0.3 + rng.normal(0, 0.5)
    p_stall = 1 / (1 + np.exp(-(-2.5 + 3.0 * (220 - yan) / 220 + 0.25 * (temp_set - 19))))
    t_stall = rng.uniform(3, 10) if rng.random() < p_stall else 99.0
    days = np.arange(T) * DT
    sugar = sugar_curve(days, s0, r, th, t_stall)
    rate = -np.gradient(sugar, DT)                            # g/L/day
    temps = temp_set + 0.02 * rate + rng.normal(0, 0.15, T)
    co2 = 0.47 * rate / 24 + rng.normal(0, 0.15, T)           # g/L/h
    density = 0.9965 + sugar * 0.000385 + rng.normal(0, 0.0004, T)
    feats = np.stack([density, temps, co2], 1)
    s_end = sugar_curve(np.array(14.0), s0, r, th, t_stall)
    return feats.astype(np.float32), np.float32(s_end + rng.normal(0, 1.0))


wineries = rng.normal(0, 1.5, 40)
winery = rng.integers(0, 40, 1100)
data = [tank(wineries[w]) for w in winery]
X = np.stack([d[0] for d in data]); y = np.array([d[1] for d in data])
val_mask = np.isin(winery, np.arange(32, 40))
Xtr, ytr, Xva, yva = X[~val_mask], y[~val_mask], X[val_mask], y[val_mask]
mu, sd = Xtr.reshape(-1, 3).mean(0), Xtr.reshape(-1, 3).std(0)
ym, ys = ytr.mean(), ytr.std()
print(f"{len(ytr)} train tanks / {len(yva)} val tanks; residual sugar day 14: mean {ym:.1f} g/L, std {ys:.1f}")
norm = lambda a: torch.tensor((a - mu) / sd, dtype=torch.float32)
train_loader = DataLoader(TensorDataset(norm(Xtr), torch.tensor((ytr - ym) / ys)), batch_size=32, shuffle=True)
Xva_t, yva_t = norm(Xva), torch.tensor((yva - ym) / ys)

class FermentGRU(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(3, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden + 3, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(torch.cat([h[-1], x[:, -1]], 1)).squeeze(1)

model = FermentGRU()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.MSELoss()
best, best_state, bad = float("inf"), None, 0
for epoch in range(40):
    model.train()
    tot = 0.0
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        tot += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        val = loss_fn(model(Xva_t), yva_t).item()
    if epoch % 4 == 0:
        print(f"epoch {epoch:2d} train mse {tot / len(ytr):.4f} val mse {val:.4f}")
    if val < best - 1e-4:
        best, best_state, bad = val, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad == 6:
            print(f"early stopping at epoch {epoch}, best val mse {best:.4f}")
            break

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    pred = model(Xva_t).numpy() * ys + ym
mae = np.abs(pred - yva).mean()
r2 = 1 - ((pred - yva) ** 2).sum() / ((yva - yva.mean()) ** 2).sum()
# baseline: extrapolate the last day's density slope, linear fit on last-step features
from sklearn.linear_model import Ridge
feat = lambda a: np.column_stack([a[:, -1, 0], a[:, -1, 0] - a[:, -36, 0], a[:, -36:, 2].mean(1), a[:, -1, 1]])
rid = Ridge(1e-3).fit(feat(Xtr), ytr)
pr = rid.predict(feat(Xva))
r2_r = 1 - ((pr - yva) ** 2).sum() / ((yva - yva.mean()) ** 2).sum()
r2_m = 1 - ((ym - yva) ** 2).sum() / ((yva - yva.mean()) ** 2).sum()
print(f"baselines: train mean R2 {r2_m:.3f}, ridge on last-day features R2 {r2_r:.3f} (MAE {np.abs(pr - yva).mean():.2f} g/L)")
print(f"final: val MAE {mae:.2f} g/L, R2 {r2:.3f}")
