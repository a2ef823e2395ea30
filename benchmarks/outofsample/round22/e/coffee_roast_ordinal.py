"""Roast level (light .. dark, five ordered grades from the cupping lab) from a drum roaster's log.

Inputs are the bean-temperature curve (resampled to 48 points, standardised per time point) and
rate-of-rise summaries. The grades are ordinal, so the head is a cumulative-link (CORAL-style) one:
a shared score minus four ordered thresholds, each fitted with a logits loss on "grade > k" targets.
Predicted grade = number of thresholds passed. ReduceLROnPlateau on the validation MAE.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(4)
rng = np.random.default_rng(4)

GRADES = ["light", "medium_light", "medium", "medium_dark", "dark"]
K = len(GRADES)
P = 48


def roast_batch(n):
    charge = rng.normal(200, 8, n)  # charge temperature, degC
    gas = rng.normal(1.0, 0.12, n)  # burner setting
    drop_time = rng.uniform(9.5, 14.5, n)  # minutes
    moisture = rng.normal(11, 0.8, n)
    curves, feats, dev_ratio = [], [], []
    for i in range(n):
        t = np.linspace(0, drop_time[i], P)
        # turning point then a decelerating climb (a crude Newton-heating model)
        bt = charge[i] - 110 * np.exp(-t / 0.7) * (1 - np.exp(-t / 0.2))
        climb = 235 * (1 - np.exp(-gas[i] * t / (4.5 + 0.15 * (moisture[i] - 11))))
        bt = np.maximum(bt - 110 + climb * 0.55, bt) + rng.normal(0, 0.6, P)
        bt = np.clip(bt, None, 240)
        first_crack = t[np.argmax(bt > 196)] if (bt > 196).any() else drop_time[i]
        dev = (drop_time[i] - first_crack) / drop_time[i]
        ror = np.gradient(bt, t)
        curves.append(bt)
        feats.append([drop_time[i], bt[-1], ror[-8:].mean(), ror.max(), dev, moisture[i]])
        dev_ratio.append(dev)
    curves, feats = np.array(curves), np.array(feats)
    # cupping-lab score: roast colour driven by final temperature and development, with taster noise
    score = 0.22 * (feats[:, 1] - 215) + 9 * feats[:, 4] + rng.normal(0, 0.45, n)
    grade = np.digitize(score, np.quantile(score, [0.15, 0.38, 0.62, 0.85]))
    return curves, feats, grade


curves, feats, grade = roast_batch(2600)
tr, va = np.arange(2000), np.arange(2000, 2600)


def standardise(a):
    mu, sd = a[tr].mean(0), a[tr].std(0) + 1e-6
    return ((a - mu) / sd).astype(np.float32)


X = np.hstack([standardise(curves), standardise(feats)])
cum = (grade[:, None] > np.arange(K - 1)[None, :]).astype(np.float32)  # (N, K-1) "grade > k" targets

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(cum[tr])),
                          batch_size=64, shuffle=True)
Xva, gva = torch.from_numpy(X[va]), torch.from_numpy(grade[va])


class CoralHead(nn.Module):
    def __init__(self, d_in, n_grades):
        super().__init__()
        self.score = nn.Linear(d_in, 1, bias=False)
        self.thresholds = nn.Parameter(torch.linspace(-1.5, 1.5, n_grades - 1))

    def forward(self, h):
        return self.score(h) - self.thresholds  # (N, K-1) logits of "grade > k"


model = nn.Sequential(nn.Linear(X.shape[1], 96), nn.ReLU(), nn.Dropout(0.1),
                      nn.Linear(96, 48), nn.ReLU(), CoralHead(48, K))
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-5)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=2)


def evaluate():
    model.eval()
    with torch.no_grad():
        pred = (torch.sigmoid(model(Xva)) > 0.5).sum(1)
    return (pred - gva).abs().float().mean().item(), (pred == gva).float().mean().item()


for epoch in range(1, 21):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    mae, acc = evaluate()
    scheduler.step(mae)
    if epoch % 4 == 0:
        print(f"epoch {epoch:2d} train_bce {total / len(tr):.4f} val_MAE {mae:.3f} grades val_exact {acc:.3f} "
              f"lr {optimizer.param_groups[0]['lr']:.1e}")

mae, acc = evaluate()
majority_mae = (gva - gva.median()).abs().float().mean().item()
print(f"final val_MAE {mae:.3f} grades (median-grade baseline {majority_mae:.3f}) val_exact_acc {acc:.3f}")
