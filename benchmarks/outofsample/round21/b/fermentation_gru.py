"""Early warning for stuck wine fermentations from tank sensor curves.

Every tank logs gravity (in gravity points, SG-1 x 1000), must temperature and
CO2 flow once an hour. From the first 96 hours we predict whether the ferment
will stick (stop above 5 gravity points). Stuck ferments are rare, so the loss
is weighted by pos_weight = negatives/positives; an EMA copy of the weights is
what we evaluate and ship.
"""
import copy
import os

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
torch.set_num_threads(1)
HOURS = 96


def tanks(n, rng):
    t = np.arange(HOURS)[None, :]
    og = rng.normal(92, 6, (n, 1))                                  # original gravity points
    vigor = rng.lognormal(0, 0.25, (n, 1))
    set_temp = rng.normal(20, 2.5, (n, 1))
    spike = rng.random((n, 1)) < 0.15                               # cooling jacket fault
    spike_at = rng.integers(20, 70, (n, 1))
    temp = set_temp + 0.04 * np.minimum(t, 48) * vigor + spike * 8 * (t > spike_at) * np.exp(-(t - spike_at) / 30)
    temp = temp + rng.normal(0, 0.3, (n, HOURS))
    heat_stress = np.clip(temp - 28, 0, None).sum(1, keepdims=True) / 50
    nitrogen = rng.lognormal(0, 0.35, (n, 1))
    rate = 0.045 * vigor * nitrogen / (1 + heat_stress)
    lag = rng.uniform(6, 20, (n, 1))
    progress = 1 - np.exp(-rate * np.clip(t - lag, 0, None))
    gravity = og - (og + 5) * progress * (1 - 0.4 * (t > 48) * np.clip(heat_stress - 0.3, 0, 1))
    gravity = gravity + rng.normal(0, 0.4, (n, HOURS))
    co2 = np.gradient(-gravity, axis=1) * 0.8 + rng.normal(0, 0.15, (n, HOURS))
    final_rate = rate * rng.lognormal(-0.7, 0.4, (n, 1)) * (1 - np.clip(heat_stress - 0.3, 0, 1))
    final_gravity = og - (og + 5) * (1 - np.exp(-final_rate * (240 - lag)))
    stuck = (final_gravity > 5).astype(np.float32).ravel()
    X = np.stack([gravity, temp, co2], -1).astype(np.float32)
    return X, stuck


X_all, y_all = tanks(1900, np.random.default_rng(21))
X_tr, X_va, y_tr, y_va = train_test_split(X_all, y_all, test_size=500, stratify=y_all, random_state=0)
mean, std = X_tr.reshape(-1, 3).mean(0), X_tr.reshape(-1, 3).std(0)
X_tr, X_va = (X_tr - mean) / std, (X_va - mean) / std
print(f"stuck share: train {y_tr.mean():.3f}  val {y_va.mean():.3f}")

train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=250)


class CurveGRU(nn.Module):
    def __init__(self, n_in=3, hidden=32):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


model = CurveGRU()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)
pos_weight = torch.tensor((1 - y_tr.mean()) / y_tr.mean())
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
decay = 0.98


def evaluate(net):
    net.eval()
    with torch.no_grad():
        scores = torch.cat([net(xb) for xb, _ in val_loader]).numpy()
    return roc_auc_score(y_va, scores), balanced_accuracy_score(y_va, scores > 0)


for epoch in range(1, 13):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 1 - decay)
        total += loss.item() * len(xb)
    if epoch % 3 == 0:
        auc, bacc = evaluate(ema)
        print(f"epoch {epoch:2d}  train_loss {total / len(X_tr):.4f}  ema val_auc {auc:.3f}  val_bal_acc {bacc:.3f}")

path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "fermentation_gru_ema.pt")
torch.save(ema, path)
shipped = torch.load(path, weights_only=False)
auc, bacc = evaluate(shipped)
print(f"shipped EMA model: val_auc {auc:.3f}  val_balanced_acc {bacc:.3f}")
