"""Chain-ferry haul-chain tension (kN) from crossing conditions.

A floating-bridge chain ferry pulls itself along two chains; the tension logged at the
drive wheel depends on wind, tidal current, deck load and river depth. The data set is
small (a season of crossings), so we fit a deliberately small tanh network full-batch with
L-BFGS and a strong-Wolfe line search, and stop when the validation RMSE stops improving.
"""
import copy
import numpy as np
import torch
from torch import nn

torch.manual_seed(5)
rng = np.random.default_rng(5)
torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

N = 900
wind = rng.gamma(2.0, 3.0, N)                           # m/s
wind_dir = rng.uniform(0, 2 * np.pi, N)                 # relative to the crossing line
current = rng.normal(0, 0.6, N)                         # m/s, + = ebb
cars = rng.integers(0, 33, N)
depth = rng.uniform(3, 9, N)                            # m at mid-river
beam_wind = wind * np.abs(np.sin(wind_dir))
tension = (40 + 0.9 * beam_wind ** 1.5 + 55 * current ** 2 + 18 * np.abs(current) * np.sin(wind_dir)
           + 1.6 * cars + 4.0 * (9 - depth) + rng.normal(0, 4.0, N))

X = np.stack([wind, np.sin(wind_dir), np.cos(wind_dir), current, cars, depth], 1)
tr, va, te = np.split(rng.permutation(N), [600, 750])
mu, sd = X[tr].mean(0), X[tr].std(0)
ymu, ysd = tension[tr].mean(), tension[tr].std()
to_t = lambda ix: (torch.tensor((X[ix] - mu) / sd), torch.tensor((tension[ix] - ymu) / ysd))
(xtr, ytr), (xva, yva), (xte, yte) = to_t(tr), to_t(va), to_t(te)

model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
mse = nn.MSELoss()
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=20,
                              line_search_fn="strong_wolfe")
l2 = 1e-4


def closure():
    optimizer.zero_grad()
    loss = mse(model(xtr).squeeze(1), ytr) + l2 * sum((p ** 2).sum() for n, p in model.named_parameters() if n.endswith("weight"))
    loss.backward()
    return loss


def rmse_kn(x, y):
    with torch.no_grad():
        return (mse(model(x).squeeze(1), y).sqrt() * ysd).item()


best, best_state, bad = float("inf"), None, 0
for it in range(1, 41):
    loss = optimizer.step(closure)
    v = rmse_kn(xva, yva)
    if it % 5 == 0 or it == 1:
        print(f"outer step {it:2d}  train_obj {loss.item():.5f}  train_rmse {rmse_kn(xtr, ytr):.2f} kN  val_rmse {v:.2f} kN")
    if v < best - 1e-3:
        best, best_state, bad = v, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad >= 6:
            print(f"stopping at outer step {it}: validation RMSE flat")
            break

model.load_state_dict(best_state)
t = rmse_kn(xte, yte)
r2 = 1 - t ** 2 / tension[te].var()
print(f"test RMSE {t:.2f} kN (noise floor 4.0 kN, target sd {ysd:.1f} kN)  test R2 {r2:.3f}")
