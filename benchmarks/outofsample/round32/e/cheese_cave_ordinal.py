"""Cheese caves: grade ripeness (0 chalky .. 4 over-ripe) of alpine wheels from the
affineur's rind and cave readings.

A cumulative-link (CORAL-style) ordinal head: one shared score, four ordered
thresholds, BCE on the cumulative targets "grade > k". The net is first trained on
the large archive of the old cave, then fine-tuned on the new cave's few hundred
graded wheels with the first layer frozen and a small learning rate.
Metric: MAE in grades and quadratic-weighted kappa on the new cave's held-out wheels.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import cohen_kappa_score

torch.manual_seed(13)
rng = np.random.default_rng(13)
K = 5
TYPES = 4


def wheels(n, temp_mu, hum_offset):
    kind = rng.integers(0, TYPES, n)
    days = rng.uniform(30, 300, n)
    temp = rng.normal(temp_mu, 0.8, n)
    hum_true = rng.uniform(88, 97, n)
    hum_read = hum_true + hum_offset + rng.normal(0, 0.5, n)
    turning = rng.choice([1.0, 2.0, 3.0, 7.0], n)               # days between turns
    speed = np.array([1.0, 1.4, 0.8, 1.15])[kind]
    ripeness = speed * (days / 100.0) * np.exp(0.09 * (temp - 11)) * (1 + 0.04 * (hum_true - 92)) \
        - 0.03 * turning
    firmness = 60 - 12 * ripeness + rng.normal(0, 4, n)           # shore units
    weight_loss = 2.0 + 3.5 * np.log1p(ripeness) + rng.normal(0, 0.5, n)
    rind_L = 78 - 6 * ripeness + rng.normal(0, 2.5, n)
    rind_b = 22 + 5 * np.tanh(ripeness - 1.5) + rng.normal(0, 1.5, n)
    ammonia = 4 * np.maximum(ripeness - 2.0, 0) ** 2 + rng.gamma(2, 0.5, n)
    latent = ripeness + rng.normal(0, 0.22, n)
    grade = np.digitize(latent, [0.7, 1.4, 2.1, 2.8])
    X = np.column_stack([days, temp, hum_read, turning, firmness, weight_loss, rind_L, rind_b, ammonia])
    return X.astype(np.float32), np.eye(TYPES, dtype=np.float32)[kind], grade


Xa, Ta, ya = wheels(5000, temp_mu=10.5, hum_offset=0.0)            # old cave archive
Xb, Tb, yb = wheels(900, temp_mu=12.5, hum_offset=-2.5)            # new cave, re-sited hygrometer
mu, sd = Xa.mean(0), Xa.std(0)
prep = lambda X, T: torch.tensor(np.hstack([(X - mu) / sd, T]))
print("grade counts new cave:", np.bincount(yb, minlength=K))


class Ordinal(nn.Module):
    def __init__(self, d_in, h=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU())
        self.score = nn.Linear(h, 1)
        self.thresholds = nn.Parameter(torch.linspace(-1.5, 1.5, K - 1))

    def forward(self, x):
        return self.score(self.body(x)) - self.thresholds          # (N, K-1) cumulative logits


def cum_targets(y):
    return (y.unsqueeze(1) > torch.arange(K - 1)).float()


def predict(model, x):
    model.eval()
    with torch.no_grad():
        return (torch.sigmoid(model(x)) > 0.5).sum(1).numpy()


def fit(model, params, X, y, lr, epochs, batch_size=64, milestones=()):
    opt = torch.optim.Adam(params, lr=lr)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=list(milestones), gamma=0.3)
    loader = DataLoader(TensorDataset(X, torch.tensor(y)), batch_size=batch_size, shuffle=True)
    crit = nn.BCEWithLogitsLoss()
    for ep in range(epochs):
        model.train()
        tot = 0.0
        for xb, yb_ in loader:
            opt.zero_grad()
            loss = crit(model(xb), cum_targets(yb_))
            loss.backward()
            opt.step()
            tot += loss.item() * len(yb_)
        sched.step()
        if ep == 0 or (ep + 1) % max(1, epochs // 4) == 0:
            print(f"  epoch {ep + 1:3d}  loss {tot / len(y):.4f}")


def report(tag, model, X, y):
    p = predict(model, X)
    mae = np.abs(p - y).mean()
    qwk = cohen_kappa_score(y, p, weights="quadratic")
    print(f"{tag}: MAE {mae:.3f} grades, QWK {qwk:.3f}")
    return mae, qwk


XA = prep(Xa, Ta)
XB = prep(Xb, Tb)
tr, va = np.arange(0, 500), np.arange(500, 900)

model = Ordinal(XA.shape[1])
print("stage 1: old cave archive")
fit(model, model.parameters(), XA, ya, lr=2e-3, epochs=30, milestones=(18, 25))
report("old-cave model on new cave (no fine-tune)", model, XB[va], yb[va])

print("stage 2: fine-tune on new cave, first layer frozen")
for p in model.body[0].parameters():
    p.requires_grad_(False)
fit(model, [p for p in model.parameters() if p.requires_grad], XB[tr], yb[tr], lr=1e-4, epochs=40, batch_size=16)
mae, qwk = report("fine-tuned", model, XB[va], yb[va])
print(f"final: new-cave val MAE {mae:.3f} grades, QWK {qwk:.3f}")
