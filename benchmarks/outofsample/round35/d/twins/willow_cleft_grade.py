"""Cricket-bat making: screen English-willow clefts for cracking before they are shaped.

Each cleft (the split billet a blade is shaped from) is measured at the bat maker's bench:
grain count on the face, grain straightness, air-dried density, moisture, width of the
sapwood/heartwood boundary, butterfly-stain area, pin-knot count, the pitch of the ring when
tapped, and the cleft's dimensions, weight, bow and end checks.  The maker wants to catch clefts that will crack in the knocking-in test before they are
shaped: an MLP scores each cleft, and the reject threshold is set on the validation clefts so that
95% of the crackers are caught.  The threshold is then used on clefts from a later delivery.
"""
import copy

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

SEED = 21
torch.manual_seed(SEED)
torch.set_num_threads(1)
rng = np.random.default_rng(SEED)


def clefts(n, rng):
    grains = rng.normal(9, 2.5, n).clip(3, 18)
    straight = rng.beta(6, 2, n)
    density = rng.normal(0.42, 0.04, n)
    moisture = rng.normal(14, 2.0, n)
    sap = rng.gamma(3, 4, n)                       # mm of sapwood
    stain = rng.exponential(3, n) * (rng.random(n) < 0.35)
    knots = rng.poisson(1.2, n).astype(float)
    ring = rng.normal(620, 60, n) + 900 * (density - 0.42)
    quality = (0.25 * (grains - 9) + 3.0 * (straight - 0.75) - 25 * np.abs(density - 0.41)
               - 0.12 * stain - 0.35 * knots - 0.03 * np.abs(sap - 10) + 0.004 * (ring - 620)
               - 0.15 * np.abs(moisture - 14) + rng.normal(0, 0.45, n))
    cracks = (quality < -2.25).astype(np.int64)
    length = rng.normal(710, 12, n)                # mm
    width = rng.normal(120, 4, n)
    thick = rng.normal(72, 3, n)
    weight = density * length * width * thick * 1e-3 * rng.normal(1, 0.03, n)
    bark_side = rng.normal(0, 1, n)                # bow of the bark side, mm
    end_split = rng.exponential(4, n)              # mm of end check at the butt
    X = np.stack([grains, straight, density, moisture, sap, stain, knots, ring,
                  length, width, thick, weight, bark_side, end_split], 1)
    return X.astype(np.float32), cracks


X, y = clefts(2000, rng)
X_new, y_new = clefts(1000, rng)

n = len(y)
idx = rng.permutation(n)
n_train = int(0.85 * n)
n_val = n - n_train
tr, va = idx[:n_train], idx[-n_val:]

mu, sd = X[tr].mean(0), X[tr].std(0)
t = lambda a: torch.from_numpy((a - mu) / sd)
Xtr, ytr = t(X[tr]), torch.from_numpy(y[tr]).float()
Xva, yva = t(X[va]), y[va]
Xnew, ynew = t(X_new), y_new

model = nn.Sequential(
    nn.Linear(X.shape[1], 128), nn.ReLU(),
    nn.Linear(128, 128), nn.ReLU(),
    nn.Linear(128, 1),
)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)


def scores(X):
    model.eval()
    with torch.no_grad():
        s = torch.sigmoid(model(X).squeeze(1)).numpy()
    model.train()
    return s


def val_loss():
    sv = np.clip(scores(Xva), 1e-7, 1 - 1e-7)
    return -np.mean(yva * np.log(sv) + (1 - yva) * np.log(1 - sv))


best, best_state, best_epoch, wait = np.inf, None, 0, 0
for epoch in range(1, 61):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm), 32):
        b = perm[i:i + 32]
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(Xtr[b]).squeeze(1), ytr[b])
        loss.backward()
        opt.step()
    vloss = val_loss()
    if epoch % 5 == 0:
        print(f"epoch {epoch:3d}  train_loss {loss.item():.3f}  val_loss {vloss:.3f}")
    if vloss < best - 1e-4:
        best, best_state, best_epoch, wait = vloss, copy.deepcopy(model.state_dict()), epoch, 0
    else:
        wait += 1
        if wait >= 6:
            break
model.load_state_dict(best_state)
print(f"restored epoch {best_epoch} (val_loss {best:.3f})")

# reject threshold: the highest score that still catches 95% of the crackers on validation
s_va = scores(Xva)
thr = np.quantile(s_va[yva == 1], 0.05)
s_new = scores(Xnew)
flag = s_new >= thr
recall = flag[ynew == 1].mean()
precision = ynew[flag].mean()
print(f"final threshold={thr:.3f} val_recall={(s_va[yva == 1] >= thr).mean():.3f} "
      f"new_delivery_recall={recall:.4f} precision={precision:.4f} reject_rate={flag.mean():.3f}")
