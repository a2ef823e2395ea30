"""Predictive maintenance: will a pump fail within the next week? Input: 240 hourly readings
of (vibration RMS, bearing temperature, discharge pressure) per pump. About 8% of pumps fail.

GRU over the long sequence; positives are up-weighted in BCEWithLogitsLoss (pos_weight =
negatives / positives); early stopping on validation average precision restores the best state.
"""
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import average_precision_score, balanced_accuracy_score

torch.manual_seed(8)
rng = np.random.default_rng(8)
T, N = 240, 2400


def pump_history(fails):
    t = np.arange(T)
    load = 0.6 + 0.3 * np.sin(2 * np.pi * t / 24 + rng.uniform(0, 6.3)) + rng.normal(0, 0.05, T)
    vib = 1.0 + 0.5 * load + rng.normal(0, 0.15, T)
    temp = 45 + 8 * load + np.cumsum(rng.normal(0, 0.08, T))
    pres = 6.0 - 0.8 * load + rng.normal(0, 0.1, T)
    if fails and rng.random() > 0.2:                  # ~20% of failures come without warning
        onset = rng.integers(T // 2, T - 24)
        ramp = np.clip((t - onset) / (T - onset), 0, 1)
        vib += ramp * rng.uniform(0.05, 0.3) + ramp * 0.3 * (rng.random(T) < 0.06) * rng.uniform(1, 3, T)
        temp += ramp * rng.uniform(0.3, 2.0)
        pres -= ramp * rng.uniform(0.0, 0.15)
    return np.stack([vib, temp, pres], axis=1)


y = (rng.random(N) < 0.08).astype(np.float32)
X = np.stack([pump_history(f) for f in y]).astype(np.float32)
tr, va, te = np.arange(0, 1600), np.arange(1600, 2000), np.arange(2000, N)
mean, std = X[tr].mean((0, 1)), X[tr].std((0, 1))
X = (X - mean) / std
X, y = torch.from_numpy(X), torch.from_numpy(y)

train_loader = DataLoader(TensorDataset(X[tr], y[tr]), batch_size=64, shuffle=True)


class FailureGRU(nn.Module):
    def __init__(self, n_in=3, hidden=32):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(2 * hidden, 1)

    def forward(self, x):
        out, h = self.gru(x)
        summary = torch.cat([h[-1], out.mean(dim=1)], dim=1)
        return self.head(summary).squeeze(1)


model = FailureGRU()
n_pos = float(y[tr].sum())
pos_weight = torch.tensor((len(tr) - n_pos) / n_pos)
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)


def scores(rows):
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(X[rows][i:i + 200]) for i in range(0, len(rows), 200)])
    return logits.numpy(), y[rows].numpy()


best_ap, best_state, patience, bad = -1.0, None, 4, 0
for epoch in range(1, 31):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
    logits, truth = scores(va)
    ap = average_precision_score(truth, logits)
    print(f"epoch {epoch:2d}  train loss {total / len(tr):.4f}  val AP {ap:.4f}")
    if ap > best_ap + 1e-4:
        best_ap, best_state, bad = ap, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch}")
            break

model.load_state_dict(best_state)
logits, truth = scores(te)
print(f"test AP {average_precision_score(truth, logits):.4f}  "
      f"test balanced accuracy {balanced_accuracy_score(truth, logits > 0):.4f}  (positives {truth.mean():.3f})")
