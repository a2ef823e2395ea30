"""Snowmaking: will a fan gun's nozzle ring ice up in the next 30 minutes?

Each sample is the last 2 hours of a gun's telemetry at 1-minute resolution
(wet-bulb temperature, water pressure, air pressure, fan current, nozzle-ring
heater current). Icing events are rare (about 1 in 6 windows), so the loss is
class-weighted and training stops early on validation average precision.
"""
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import average_precision_score, balanced_accuracy_score

SEQ = 120
torch.manual_seed(17)
rng = np.random.default_rng(17)


def gun_windows(n):
    t = np.arange(SEQ)[None, :]
    wet_bulb = rng.uniform(-9, -1, (n, 1)) + np.cumsum(rng.normal(0, 0.06, (n, SEQ)), 1)
    water_bar = rng.uniform(18, 30, (n, 1)) + rng.normal(0, 0.4, (n, SEQ))
    air_bar = rng.uniform(6, 8, (n, 1)) + rng.normal(0, 0.1, (n, SEQ))
    fan_amp = rng.uniform(40, 48, (n, 1)) + rng.normal(0, 0.5, (n, SEQ))
    heater = (rng.random((n, 1)) < 0.8) * rng.uniform(3, 5, (n, 1)) + rng.normal(0, 0.1, (n, SEQ))
    # icing builds up when the heater drops out in very cold, high-pressure conditions
    drop_at = rng.integers(10, SEQ, n)
    dropped = (rng.random(n) < 0.3)[:, None] & (t >= drop_at[:, None])
    heater = np.where(dropped, rng.normal(0.1, 0.1, (n, SEQ)), heater)
    cold_minutes = (dropped & (wet_bulb < -4.5)).sum(1)
    risk = (cold_minutes / 20.0 + (water_bar.mean(1) - 24) / 4.0 - 2.0
            + 1.5 * (heater[:, :10].mean(1) < 1.0))
    fan_amp = fan_amp + 0.02 * np.cumsum(dropped & (wet_bulb < -4.5), 1)
    y = (rng.random(n) < 1 / (1 + np.exp(-2.2 * risk))).astype(np.float32)
    X = np.stack([wet_bulb, water_bar, air_bar, fan_amp, heater], axis=2).astype(np.float32)
    return X, y


class IcingGRU(nn.Module):
    def __init__(self, n_in, hidden=32):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(2 * hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, h = self.gru(x)
        feats = torch.cat([h[-1], out.amax(dim=1)], dim=1)
        return self.head(feats).squeeze(-1)


X, y = gun_windows(1400)
X_tr, X_va, y_tr, y_va = X[:1050], X[1050:], y[:1050], y[1050:]
mu, sd = X_tr.reshape(-1, X.shape[2]).mean(0), X_tr.reshape(-1, X.shape[2]).std(0)
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
print(f"icing share: train {y_tr.mean():.3f}  val {y_va.mean():.3f}")

train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=175)

model = IcingGRU(X.shape[2])
pos_weight = torch.tensor((1 - y_tr.mean()) / y_tr.mean())
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
optimizer = torch.optim.Adam(model.parameters(), lr=6e-3)


def evaluate():
    model.eval()
    total, scores = 0.0, []
    with torch.no_grad():
        for xb, yb in val_loader:
            logits = model(xb)
            total += nn.functional.binary_cross_entropy_with_logits(
                logits, yb, pos_weight=pos_weight, reduction="sum").item()
            scores.append(logits)
    scores = torch.cat(scores).numpy()
    return total / len(y_va), average_precision_score(y_va, scores), scores


best_ap, best_state, patience, bad = -1.0, None, 5, 0
for epoch in range(1, 21):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    val_loss, ap, _ = evaluate()
    print(f"epoch {epoch:2d}  val loss {val_loss:.4f}  val AP {ap:.3f}")
    if ap > best_ap + 1e-3:
        best_ap, best_state, bad = ap, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch}")
            break

model.load_state_dict(best_state)
_, ap, scores = evaluate()
bacc = balanced_accuracy_score(y_va, scores > 0)
print(f"best val AP {ap:.3f} (prevalence {y_va.mean():.3f})  balanced accuracy {bacc:.3f}")
