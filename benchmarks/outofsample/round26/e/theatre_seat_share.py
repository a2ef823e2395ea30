"""Theatre seat demand: fraction of the house sold per performance, 3 days before curtain.

Inputs are mostly one-hot: production (60 titles across the group's venues), venue,
weekday, slot (matinee / evening / late) and price band, plus weeks since opening, a critics'
score and the school-holiday flag. The target is a share in [0, 1], so the net outputs a
logit and is fitted with binary cross-entropy on the fractional targets (a proper loss for
proportions); the best epoch on validation is kept (early stopping with patience).
"""
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(41)
rng = np.random.default_rng(41)

N, PRODS, VENUES = 6000, 60, 5
prod = rng.integers(0, PRODS, N)
venue = rng.integers(0, VENUES, N)
weekday = rng.integers(0, 7, N)
slot = rng.choice(3, N, p=[.25, .6, .15])
price = rng.integers(0, 5, N)
weeks = rng.exponential(6, N).clip(0, 40)
critics = rng.normal(3.4, 0.7, N).clip(1, 5)
holiday = (rng.random(N) < 0.18).astype(float)

pop = rng.normal(0, 0.8, PRODS)
venue_eff = np.array([0.3, -0.2, 0.0, 0.5, -0.4])
day_eff = np.array([-0.6, -0.5, -0.3, 0.0, 0.5, 0.8, 0.3])
slot_eff = np.array([-0.2, 0.3, -0.5])
logit = (pop[prod] + venue_eff[venue] + day_eff[weekday] + slot_eff[slot] - 0.25 * price
         + 0.45 * (critics - 3.4) - 0.6 * np.log1p(weeks) + 0.9 + 0.4 * holiday * (slot == 0)
         + rng.normal(0, 0.25, N))
sold_share = 1 / (1 + np.exp(-logit))
capacity = rng.choice([220, 480, 900], N)
share = rng.binomial(capacity, sold_share) / capacity          # observed: whole seats sold

onehots = [np.eye(PRODS)[prod], np.eye(VENUES)[venue], np.eye(7)[weekday], np.eye(3)[slot], np.eye(5)[price]]
idx = rng.permutation(N)
tr, va = idx[:4800], idx[4800:]
cont = np.stack([np.log1p(weeks), critics], 1)
c_mu, c_sd = cont[tr].mean(0), cont[tr].std(0)
X = np.concatenate(onehots + [(cont - c_mu) / c_sd, holiday[:, None]], 1).astype(np.float32)
Y = share.astype(np.float32)[:, None]
print(f"{X.shape[1]} inputs, {np.mean(X[:, :-3] == 0):.3f} of one-hot entries are zero")

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])), batch_size=128, shuffle=True)
Xv, Yv = torch.from_numpy(X[va]), torch.from_numpy(Y[va])

model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-5)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.93)

best, best_state, patience, bad = float("inf"), None, 6, 0
for epoch in range(60):
    model.train()
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    sched.step()
    model.eval()
    with torch.no_grad():
        vloss = loss_fn(model(Xv), Yv).item()
    if vloss < best - 1e-5:
        best, best_state, bad = vloss, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch + 1}")
            break
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d} val_bce={vloss:.5f}")

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    pred = torch.sigmoid(model(Xv)).numpy().ravel()
yv = share[va]
mae = np.abs(pred - yv).mean()
r2 = 1 - ((pred - yv) ** 2).sum() / ((yv - yv.mean()) ** 2).sum()
print(f"mean-share baseline MAE={np.abs(share[tr].mean() - yv).mean():.4f}")
print(f"final val_MAE_share={mae:.4f} val_R2={r2:.4f}")
