"""Small-data process model: tensile strength of injection-moulded parts from 6 process settings
(240 lab runs). With this little data the whole training set is one batch and L-BFGS does the fit
(as scikit-learn recommends for small MLPs); an L2 penalty keeps the tanh net smooth."""
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
rng = np.random.default_rng(0)
torch.set_default_dtype(torch.float64)

n = 240
melt_T = rng.uniform(200, 260, n)        # C
mould_T = rng.uniform(30, 80, n)         # C
inj_speed = rng.uniform(20, 120, n)      # mm/s
hold_p = rng.uniform(300, 900, n)        # bar
cool_t = rng.uniform(8, 30, n)           # s
glass = rng.uniform(0, 30, n)            # % glass fibre
strength = (55 + 0.9 * glass - 0.012 * glass ** 2
            - 0.004 * (melt_T - 235) ** 2 + 0.06 * (mould_T - 30) * (1 - glass / 60)
            + 6 * np.tanh((hold_p - 550) / 200) - 0.0009 * (inj_speed - 70) ** 2
            + 3 * (1 - np.exp(-cool_t / 10)) + rng.normal(0, 1.3, n))
X = np.stack([melt_T, mould_T, inj_speed, hold_p, cool_t, glass], 1)

idx = rng.permutation(n)
tr, va = idx[:190], idx[190:]
mu, sd = X[tr].mean(0), X[tr].std(0)
ym, ys = strength[tr].mean(), strength[tr].std()
Xtr, Xva = torch.tensor((X[tr] - mu) / sd), torch.tensor((X[va] - mu) / sd)
ytr, yva = torch.tensor((strength[tr] - ym) / ys), torch.tensor((strength[va] - ym) / ys)

model = nn.Sequential(nn.Linear(6, 24), nn.Tanh(), nn.Linear(24, 24), nn.Tanh(), nn.Linear(24, 1))
opt = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=20,
                        line_search_fn="strong_wolfe")
l2 = 1e-3
mse = nn.MSELoss()


def closure():
    opt.zero_grad()
    loss = mse(model(Xtr).squeeze(-1), ytr)
    loss = loss + l2 * sum((p ** 2).sum() for n_, p in model.named_parameters() if n_.endswith("weight"))
    loss.backward()
    return loss


for it in range(40):
    loss = opt.step(closure)
    if it % 10 == 9:
        with torch.no_grad():
            v = mse(model(Xva).squeeze(-1), yva).item()
        print(f"iter {it + 1} train_obj {loss.item():.4f} val_mse {v:.4f}")

with torch.no_grad():
    pred = model(Xva).squeeze(-1) * ys + ym
true = torch.tensor(strength[va])
rmse = ((pred - true) ** 2).mean().sqrt().item()
r2 = 1 - ((pred - true) ** 2).sum().item() / ((true - true.mean()) ** 2).sum().item()
A = np.c_[np.ones(len(tr)), (X[tr] - mu) / sd]
w = np.linalg.lstsq(A, strength[tr], rcond=None)[0]
lin = np.c_[np.ones(len(va)), (X[va] - mu) / sd] @ w
print(f"linear baseline RMSE {np.sqrt(((lin - strength[va]) ** 2).mean()):.3f} MPa")
print(f"val RMSE={rmse:.3f} MPa R2={r2:.4f}")
