"""Multi-label defect tags on water-reed bundles bought in for thatching.

Each bundle is graded on arrival with any of six tags (brittle, short, mouldy butts,
seed heads, mixed lengths, wet). Inputs are mostly sparse one-hot columns -- reed bed
(60 beds), cutting week (16), cutter (25), storage barn (6) -- plus four measurements.
Two tags are rare, so BCEWithLogitsLoss gets a (capped) pos_weight and the output bias
starts at the log prior odds. The MLP runs under bfloat16 autocast on CPU; the loss is
computed in float32.
"""
import numpy as np
import torch
from torch import nn
from sklearn.metrics import average_precision_score

torch.manual_seed(2)
rng = np.random.default_rng(2)
torch.set_num_threads(1)

N = 5000
bed = rng.integers(0, 60, N)
week = rng.integers(0, 16, N)
cutter = rng.integers(0, 25, N)
barn = rng.integers(0, 6, N)
moisture = rng.normal(16, 4, N)
length = rng.normal(1.6, 0.25, N)
butt_d = rng.normal(7, 1.5, N)
age_days = rng.exponential(40, N)

bed_salinity = rng.normal(0, 1, 60)
bed_depth = rng.normal(0, 1, 60)
cutter_care = rng.normal(0, 1, 25)
barn_damp = np.array([-1.0, -0.5, 0.0, 0.3, 1.2, 2.0])
week_late = (week - 8) / 4

logits = np.stack([
    -2.0 + 1.2 * bed_salinity[bed] + 0.8 * week_late + 0.06 * age_days / 10 - 0.15 * (moisture - 16),   # brittle
    -1.8 - 6.0 * (length - 1.6) + 0.7 * bed_depth[bed],                                                 # short
    -4.2 + 1.5 * barn_damp[barn] + 0.2 * (moisture - 16) + 0.02 * age_days,                              # mouldy butts (rare)
    -1.0 + 1.4 * week_late,                                                                              # seed heads
    -2.2 - 1.1 * cutter_care[cutter] + 3.0 * np.abs(length - 1.6),                                       # mixed lengths
    -4.5 + 0.45 * (moisture - 16) + 0.8 * barn_damp[barn],                                               # wet (rare)
], 1)
Y = (rng.random(logits.shape) < 1 / (1 + np.exp(-logits))).astype(np.float32)
tags = ["brittle", "short", "mouldy", "seedheads", "mixed", "wet"]


def one_hot(v, k):
    m = np.zeros((len(v), k), np.float32)
    m[np.arange(len(v)), v] = 1
    return m


cont = np.stack([moisture, length, butt_d, np.log1p(age_days)], 1)
tr, va, te = np.split(rng.permutation(N), [3400, 4200])
cmu, csd = cont[tr].mean(0), cont[tr].std(0)
X = np.concatenate([one_hot(bed, 60), one_hot(week, 16), one_hot(cutter, 25), one_hot(barn, 6),
                    ((cont - cmu) / csd).astype(np.float32)], 1)
Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)

prior = Y[tr].mean(0)
print("tag prevalence (train):", ", ".join(f"{n} {p:.3f}" for n, p in zip(tags, prior)))
pos_weight = torch.tensor(np.minimum((1 - prior) / prior, 10.0), dtype=torch.float32)

model = nn.Sequential(nn.Linear(X.shape[1], 128), nn.ReLU(), nn.Dropout(0.2),
                      nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 6))
with torch.no_grad():
    model[-1].bias.copy_(torch.log(torch.tensor(prior / (1 - prior))))
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)


def macro_ap(ix):
    model.eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        p = torch.sigmoid(model(Xt[ix]).float()).numpy()
    return np.mean([average_precision_score(Y[ix, j], p[:, j]) for j in range(6)]), p


best, best_state, patience = float("inf"), None, 0
for epoch in range(1, 31):
    model.train()
    perm = tr[rng.permutation(len(tr))]
    tot = 0.0
    for s in range(0, len(perm), 64):
        b = perm[s:s + 64]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = model(Xt[b])
        loss = criterion(out.float(), Yt[b])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        tot += loss.item() * len(b)
    model.eval()
    with torch.no_grad():
        vloss = criterion(model(Xt[va]), Yt[va]).item()
    print(f"epoch {epoch:2d} train_loss {tot / len(tr):.4f} val_loss {vloss:.4f} val_macroAP {macro_ap(va)[0]:.3f}")
    if vloss < best - 1e-4:
        best, patience = vloss, 0
        best_state = {k: v.clone() for k, v in model.state_dict().items()}
    else:
        patience += 1
        if patience == 3:
            print(f"early stop at epoch {epoch}, restoring epoch {epoch - 3}")
            break

model.load_state_dict(best_state)

ap, p = macro_ap(te)
per = [average_precision_score(Y[te, j], p[:, j]) for j in range(6)]
print("test AP per tag:", ", ".join(f"{n} {a:.2f}" for n, a in zip(tags, per)))
print(f"test macro AP {ap:.3f} (prevalence baseline {Y[te].mean(0).mean():.3f})")
