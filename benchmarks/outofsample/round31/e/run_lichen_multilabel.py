"""Which lichen species occur on a surveyed trunk (volunteer lichen survey, air-quality scheme).

Inputs per trunk: nitrogen/road exposure, bark pH, light, humidity, height on trunk, aspect
(sin/cos), elevation, girth and the host tree (one-hot). Targets: presence of 9 indicator
species (multi-label; several can co-occur, the rare ones on ~15% of trunks).
BCEWithLogitsLoss with per-species pos_weight, dropout, ReduceLROnPlateau and early stopping
that restores the best weights.
"""
import copy
import numpy as np
import torch
from torch import nn
from sklearn.metrics import f1_score, roc_auc_score

torch.manual_seed(5)
rng = np.random.default_rng(5)

TREES = ["oak", "ash", "sycamore", "birch", "lime", "beech", "conifer"]
SPECIES = ["Xanthoria parietina", "Physcia adscendens", "Evernia prunastri", "Usnea spp.",
           "Parmelia sulcata", "Hypogymnia physodes", "Lecanora chlarotera", "Graphis scripta",
           "Lobaria pulmonaria"]
N = 2600
tree = rng.integers(0, len(TREES), N)
nitrogen = rng.gamma(2.0, 1.0, N)
bark_ph = np.array([5.0, 6.2, 6.0, 4.3, 5.6, 5.2, 3.9])[tree] + rng.normal(0, 0.35, N) + 0.12 * nitrogen
light = rng.beta(2, 2, N)
humidity = rng.beta(3, 2, N)
height = rng.uniform(0.5, 2.0, N)
aspect = rng.uniform(0, 2 * np.pi, N)
elev = rng.gamma(3, 80, N)
girth = rng.lognormal(0.3, 0.4, N)

num = np.stack([nitrogen, bark_ph, light, humidity, height, np.sin(aspect), np.cos(aspect), elev, girth], 1)
z = (num - num.mean(0)) / num.std(0)
n_, ph, li, hu, he, s_, c_, el, gi = z.T
logits = np.stack([
    1.6 * n_ + 1.0 * ph + 0.3 * li - 0.2,          # nitrophile
    1.2 * n_ + 0.8 * ph - 0.3,
    -1.5 * n_ - 0.6 * ph + 0.6 * hu - 0.5,           # acidophile, clean air
    -2.2 * n_ + 1.0 * hu + 0.5 * el - 2.4,           # sensitive, rare
    -0.6 * n_ + 0.4 * hu + 0.2,
    -1.0 * n_ - 1.2 * ph - 0.3,
    0.5 * ph + 0.4 * li + 0.2 * gi - 0.4,
    -1.0 * li + 1.2 * hu + 0.8 * gi - 1.2 + 1.5 * (tree == 1),
    -2.5 * n_ + 1.5 * hu + 1.2 * gi + 0.6 * c_ - 3.4,  # old-woodland indicator, rare
], 1)
logits = 1.8 * logits
Y = (rng.random(logits.shape) < 1 / (1 + np.exp(-logits))).astype(np.float32)

X = np.concatenate([num, np.eye(len(TREES))[tree]], 1).astype(np.float32)
perm = rng.permutation(N)
tr, va = perm[:2000], perm[2000:]
mu, sd = X[tr, :9].mean(0), X[tr, :9].std(0)
X[:, :9] = (X[:, :9] - mu) / sd
Xtr, Ytr = torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])
Xva, Yva = torch.from_numpy(X[va]), torch.from_numpy(Y[va])
print("species prevalence:", np.round(Y[tr].mean(0), 3))

model = nn.Sequential(nn.Linear(X.shape[1], 128), nn.ReLU(), nn.Dropout(0.3),
                      nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.3),
                      nn.Linear(64, len(SPECIES)))
pos = Ytr.mean(0)
criterion = nn.BCEWithLogitsLoss(pos_weight=((1 - pos) / pos).clamp(max=10.0))
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=3)

best_loss, best_state, bad_epochs, patience = float("inf"), None, 0, 8
batch = 50
for epoch in range(60):
    model.train()
    order = torch.randperm(len(Xtr))
    for i in range(0, len(order), batch):
        idx = order[i:i + batch]
        optimizer.zero_grad()
        loss = criterion(model(Xtr[idx]), Ytr[idx])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(Xva), Yva).item()
    plateau.step(val_loss)
    if val_loss < best_loss - 1e-4:
        best_loss, best_state, bad_epochs = val_loss, copy.deepcopy(model.state_dict()), 0
    else:
        bad_epochs += 1
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d} train_loss {loss.item():.4f} val_loss {val_loss:.4f} lr {optimizer.param_groups[0]['lr']:.1e}")
    if bad_epochs >= patience:
        print(f"early stop at epoch {epoch}, best val_loss {best_loss:.4f}")
        break

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    prob = torch.sigmoid(model(Xva)).numpy()
yv = Yva.numpy()
macro_auc = roc_auc_score(yv, prob, average="macro")
micro_f1 = f1_score(yv, prob > 0.5, average="micro")
print(f"final val macro AUC {macro_auc:.4f}  micro F1 {micro_f1:.4f}")
