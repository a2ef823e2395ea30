"""Hospital length-of-stay band at admission (ordinal: 1-2, 3-4, 5-7, 8-14, 15+ days).

The bands are ordered, so the model predicts K-1 cumulative events "stay longer than
band k" with independent sigmoid outputs trained by binary cross-entropy on the
cumulative targets (the extended binary classification formulation). The predicted band
is the number of thresholds whose probability exceeds one half. Admission type and
diagnosis group enter as raw one-hot columns; continuous fields are standardised.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import cohen_kappa_score

torch.manual_seed(42)
rng = np.random.default_rng(42)

BANDS = ["1-2d", "3-4d", "5-7d", "8-14d", "15+d"]
K = len(BANDS)
N = 7000

age = np.clip(rng.normal(62, 18, N), 18, 99)
adm_type = rng.choice(3, N, p=[0.55, 0.35, 0.10])          # emergency, elective, transfer
diag = rng.choice(12, N)                                   # diagnosis group
comorb = rng.poisson(1.5 + age / 40)
prior_adm = rng.poisson(0.6, N)
surgery = (rng.random(N) < 0.3 + 0.3 * (adm_type == 1)).astype(float)
hr = rng.normal(85, 15, N)
sbp = rng.normal(128, 20, N)
temp = rng.normal(37.0, 0.6, N)
spo2 = np.clip(rng.normal(95.5, 2.5, N), 80, 100)
lives_alone = (rng.random(N) < 0.25).astype(float)

diag_effect = rng.normal(0, 0.45, 12)
latent = (0.022 * (age - 60) + 0.2 * comorb + 0.15 * prior_adm + 0.55 * surgery
          + np.array([0.35, -0.2, 0.6])[adm_type] + diag_effect[diag]
          + 0.012 * (hr - 85) - 0.008 * (sbp - 128) + 0.35 * np.clip(temp - 37.5, 0, None)
          + 0.09 * np.clip(94 - spo2, 0, None) + 0.3 * lives_alone * (age > 75)
          + rng.logistic(0, 0.45, N))
cuts = np.quantile(latent, [0.25, 0.5, 0.72, 0.9])
band = np.searchsorted(cuts, latent)

cont = np.column_stack([age, comorb, prior_adm, hr, sbp, temp, spo2]).astype(np.float32)
onehot = np.concatenate([np.eye(3)[adm_type], np.eye(12)[diag], surgery[:, None], lives_alone[:, None]],
                        axis=1).astype(np.float32)

perm = rng.permutation(N)
tr, va = perm[:5600], perm[5600:]
mu, sd = cont[tr].mean(0), cont[tr].std(0)
X = torch.from_numpy(np.concatenate([(cont - mu) / sd, onehot], axis=1))
y = torch.from_numpy(band)
# cumulative targets: row k is 1 if the stay is longer than band k
Y_cum = (y[:, None] > torch.arange(K - 1)[None, :]).float()

model = nn.Sequential(
    nn.Linear(X.shape[1], 32), nn.ReLU(),
    nn.Linear(32, 32), nn.ReLU(),
    nn.Linear(32, K - 1),
)
with torch.no_grad():  # start each threshold at its training prior
    prior = Y_cum[tr].mean(0).clamp(1e-3, 1 - 1e-3)
    model[-1].bias.copy_(torch.log(prior / (1 - prior)))

loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.85)


def predict_band(logits):
    return (torch.sigmoid(logits) > 0.5).sum(1)


Xtr, Ytr = X[tr], Y_cum[tr]
Xva, Yva, yva = X[va], Y_cum[va], y[va]
for epoch in range(1, 16):
    model.train()
    for idx in torch.randperm(len(tr)).split(64):
        opt.zero_grad()
        loss = loss_fn(model(Xtr[idx]), Ytr[idx])
        loss.backward()
        opt.step()
    sched.step()
    model.eval()
    with torch.no_grad():
        tr_loss = loss_fn(model(Xtr), Ytr).item()
        logits = model(Xva)
        va_loss = loss_fn(logits, Yva).item()
        pred = predict_band(logits)
    if epoch % 3 == 0:
        mae = (pred - yva).abs().float().mean().item()
        print(f"epoch {epoch:2d} train bce {tr_loss:.4f} val bce {va_loss:.4f} val MAE(bands) {mae:.3f}")

acc = (pred == yva).float().mean().item()
mae = (pred - yva).abs().float().mean().item()
qwk = cohen_kappa_score(yva.numpy(), pred.numpy(), weights="quadratic")
base = (torch.full_like(yva, int(yva.median())) - yva).abs().float().mean().item()
print(f"val exact-band accuracy {acc:.3f}, MAE {mae:.3f} bands (median band {base:.3f}), QWK {qwk:.3f}")
