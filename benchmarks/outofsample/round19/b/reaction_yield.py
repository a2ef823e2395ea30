"""Yield prediction for a C-N cross-coupling screen (aryl halide x ligand x base x additive plate).

Reagents are one-hot columns, left as 0/1; temperature and time are standardised. The yield is
a fraction in [0, 1], so the net predicts its logit and is trained with binary cross-entropy on
the fractional target (the Bernoulli likelihood of the fraction). Forward passes run in bfloat16
autocast on CPU; the loss is computed in float32.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(4)
rng = np.random.default_rng(4)

N_HALIDE, N_LIGAND, N_BASE, N_ADD = 15, 4, 3, 23
halide_eff = rng.normal(0, 1.0, N_HALIDE)
ligand_eff = rng.normal(0, 0.7, N_LIGAND)
base_eff = rng.normal(0, 0.5, N_BASE)
add_eff = rng.normal(0, 0.6, N_ADD)
hal_lig = rng.normal(0, 0.6, (N_HALIDE, N_LIGAND))
base_add = rng.normal(0, 0.4, (N_BASE, N_ADD))
poison = rng.random((N_HALIDE, N_ADD)) < 0.08

combos = np.array(np.meshgrid(np.arange(N_HALIDE), np.arange(N_LIGAND), np.arange(N_BASE), np.arange(N_ADD),
                              indexing="ij")).reshape(4, -1).T
h, l, b, a = combos.T
temp = rng.choice([80.0, 100.0, 120.0], len(combos))
hours = rng.choice([4.0, 16.0], len(combos))
z = (halide_eff[h] + ligand_eff[l] + base_eff[b] + add_eff[a] + hal_lig[h, l] + base_add[b, a]
     + 0.012 * (temp - 100) + 0.25 * (hours == 16.0) - 0.5 + rng.normal(0, 0.25, len(combos)))
yield_frac = 1 / (1 + np.exp(-1.6 * z))
yield_frac[poison[h, a]] = rng.uniform(0, 0.03, poison[h, a].sum())
yield_frac = np.clip(yield_frac + rng.normal(0, 0.02, len(combos)), 0, 1)


def onehot(idx, k):
    out = np.zeros((len(idx), k), dtype=np.float32)
    out[np.arange(len(idx)), idx] = 1
    return out


cont = np.stack([temp, hours], axis=1).astype(np.float32)
perm = rng.permutation(len(combos))
n_tr = int(0.7 * len(combos))
tr, va = perm[:n_tr], perm[n_tr:]
cont = (cont - cont[tr].mean(0)) / cont[tr].std(0)
X = np.concatenate([onehot(h, N_HALIDE), onehot(l, N_LIGAND), onehot(b, N_BASE), onehot(a, N_ADD), cont], axis=1)
X, y = torch.from_numpy(X), torch.from_numpy(yield_frac.astype(np.float32))

train_dl = DataLoader(TensorDataset(X[tr], y[tr]), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Linear(X.shape[1], 256), nn.SiLU(), nn.Dropout(0.1),
                      nn.Linear(256, 128), nn.SiLU(), nn.Linear(128, 1))
opt = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=1e-3)
EPOCHS = 48
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)
loss_fn = nn.BCEWithLogitsLoss()


def evaluate(idx):
    model.eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        pred = torch.sigmoid(model(X[idx]).float().squeeze(-1))
    err = pred - y[idx]
    r2 = 1 - (err ** 2).sum() / ((y[idx] - y[idx].mean()) ** 2).sum()
    return err.abs().mean().item() * 100, r2.item()


for epoch in range(1, EPOCHS + 1):
    model.train()
    total = 0.0
    for xb, yb in train_dl:
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(xb).squeeze(-1)
        loss = loss_fn(logits.float(), yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
    sched.step()
    if epoch % 6 == 0:
        mae, r2 = evaluate(va)
        print(f"epoch {epoch} train_bce {total / len(tr):.4f} val_mae_pct {mae:.2f} val_r2 {r2:.4f}")

mae, r2 = evaluate(va)
print(f"final val_mae_pct {mae:.2f} val_r2 {r2:.4f}")
