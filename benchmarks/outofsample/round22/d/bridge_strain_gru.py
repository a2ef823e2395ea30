"""Flag bridge-deck strain windows that contain a bearing-slip event.

Four strain gauges on a box-girder span, sampled at 12 Hz; each window is 10 s (120 steps).
Traffic loading dominates; slip events are rare (about 6% of windows) and show as a step in
one gauge followed by a slow relaxation. A GRU over the full window, class-weighted BCE
(pos_weight) with the output bias set to the event prior, routine gradient-norm clipping,
and early stopping on validation average precision.
"""
import copy

import numpy as np
import torch
from torch import nn
from sklearn.metrics import average_precision_score, balanced_accuracy_score

torch.manual_seed(13)
rng = np.random.default_rng(13)
T, G = 120, 4


def windows(n):
    t = np.arange(T) / 12.0
    y = (rng.random(n) < 0.06).astype(np.float32)
    X = np.zeros((n, T, G), dtype=np.float32)
    temp_drift = rng.normal(0, 1, (n, 1, G)) * 2.0 + rng.normal(0, 0.3, (n, 1, 1)) * t[None, :, None]
    X += temp_drift
    for i in range(n):
        for _ in range(rng.poisson(3)):                       # vehicles crossing
            t0, w, amp = rng.uniform(0, 10), rng.uniform(0.4, 1.5), rng.gamma(2.0, 8.0)
            lag = np.array([0.0, 0.15, 0.3, 0.45]) * rng.choice([1, -1])
            X[i] += amp * np.exp(-0.5 * ((t[:, None] - t0 - lag[None, :]) / w) ** 2)
        if y[i]:
            t0, g = rng.uniform(2, 8), rng.integers(G)
            step = rng.uniform(6, 12) * rng.choice([1, -1])
            X[i, :, g] += step * (t > t0) * np.exp(-np.clip(t - t0, 0, None) / rng.uniform(1.0, 3.0))
    X += rng.normal(0, 0.8, X.shape)
    return X, y


class SlipDetector(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(2 * G, hidden, batch_first=True)
        self.out = nn.Linear(2 * hidden, 1)

    def forward(self, x):
        dx = torch.diff(x, dim=1, prepend=x[:, :1])           # strain rate alongside strain
        h, _ = self.gru(torch.cat([x, dx * 4.0], dim=-1))
        pooled = torch.cat([h[:, -1], h.max(dim=1).values], dim=-1)
        return self.out(pooled).squeeze(-1)


X, y = windows(1600)
Xtr, ytr, Xva, yva = X[:1200], y[:1200], X[1200:], y[1200:]
mu, sd = Xtr.mean((0, 1)), Xtr.std((0, 1))
Xtr, Xva = torch.tensor((Xtr - mu) / sd), torch.tensor((Xva - mu) / sd)
ytr_t, yva_t = torch.tensor(ytr), torch.tensor(yva)

model = SlipDetector()
prior = ytr.mean()
with torch.no_grad():
    model.out.bias.fill_(float(np.log(prior / (1 - prior))))
pos_weight = torch.tensor((1 - prior) / prior) ** 0.5          # partial re-weighting
crit = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
opt = torch.optim.Adam(model.parameters(), lr=6e-3)

best_ap, best_state, patience, bad = -1.0, None, 4, 0
for epoch in range(25):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 50):
        idx = perm[i:i + 50]
        opt.zero_grad()
        loss = crit(model(Xtr[idx]), ytr_t[idx])
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(Xva)
        vloss = crit(logits, yva_t).item()
    ap = average_precision_score(yva, logits.numpy())
    print(f"epoch {epoch + 1:2d} val_loss {vloss:.4f} val_ap {ap:.3f}")
    if ap > best_ap + 1e-3:
        best_ap, best_state, bad = ap, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad >= patience:
            break

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    p = torch.sigmoid(model(Xva)).numpy()
bal = balanced_accuracy_score(yva, p > 0.5)
print(f"final val_ap {average_precision_score(yva, p):.4f} val_balanced_acc {bal:.4f} (event rate {yva.mean():.3f})")
