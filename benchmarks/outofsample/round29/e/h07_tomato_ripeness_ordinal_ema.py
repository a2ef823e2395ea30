"""Greenhouse tomatoes: grade the ripeness stage of a truss from a handheld colour sensor.

Stages follow the USDA chart (green, breaker, turning, pink, light red, red): an ordinal
label. The sensor gives reflectance in 10 visible/NIR bands plus a firmness reading, the
lamp temperature and whether the truss is a yellow/orange cultivar. Each stage shifts the
chlorophyll dip near 670 nm and the lycopene (red) or carotene (yellow) rise, with
cultivar-to-cultivar spread.

The model is a shared MLP trunk with a rank-consistent ordinal head (one shared score and
K-1 ordered thresholds, cumulative binary cross-entropy: "stage > k"). Weights are tracked
with an exponential moving average kept in a deepcopy of the model, and the EMA copy is the
one evaluated.
"""
import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)
rng = np.random.default_rng(17)

STAGES = ["green", "breaker", "turning", "pink", "light_red", "red"]
K = len(STAGES)
BANDS = np.array([450, 500, 550, 570, 600, 630, 650, 670, 730, 800])


def sensor(stage, n):
    cultivar = rng.normal(0, 1, (n, 1))
    yellow = (rng.random((n, 1)) < 0.35)                                 # orange/yellow cultivars
    ripeness = stage[:, None] + rng.uniform(-0.5, 0.5, (n, 1))         # continuous latent stage
    chl = np.exp(-ripeness / 2.0) * np.exp(-((BANDS - 670) / 25.0) ** 2)
    lyco = (1 / (1 + np.exp(-(ripeness - 2.5) * 1.4))) * np.exp(-((BANDS - 585) / 40.0) ** 2)
    carot = (ripeness / 5) * np.exp(-((BANDS - 500) / 30.0) ** 2)
    lyco = lyco * np.where(yellow, 0.2, 1.0)
    carot = carot * np.where(yellow, 3.0, 1.0)
    base = 0.35 + 0.25 * (BANDS > 700) + 0.03 * cultivar
    refl = base - 0.25 * chl - 0.2 * carot + 0.12 * (1 - lyco) * (BANDS < 620) - 0.1 * lyco * (BANDS < 600)
    refl = refl * rng.uniform(0.85, 1.15, (n, 1)) + rng.normal(0, 0.012, (n, len(BANDS)))
    firmness = 9 - 1.1 * ripeness[:, 0] + rng.normal(0, 0.9, n)        # N
    lamp_temp = rng.normal(31, 2, n)
    return np.column_stack([refl, firmness, lamp_temp, yellow[:, 0]]).astype(np.float32)


y = rng.integers(0, K, 3000)
X = sensor(y, len(y))
# ratios of bands are what graders look at; give the net the log-reflectance
X[:, :10] = np.log(np.clip(X[:, :10], 1e-3, None))
tr, va = np.arange(2400), np.arange(2400, 3000)
cont = slice(0, 12)                     # the last column is the cultivar-group flag, left as 0/1
mu, sd = X[tr, cont].mean(0), X[tr, cont].std(0)
X[:, cont] = (X[:, cont] - mu) / sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])), batch_size=64, shuffle=True)
Xva, yva = torch.from_numpy(X[va]), torch.from_numpy(y[va])


class OrdinalNet(nn.Module):
    def __init__(self, d_in, k, hidden=64):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(d_in, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU())
        self.score = nn.Linear(hidden, 1, bias=False)
        self.thresholds = nn.Parameter(torch.linspace(-2, 2, k - 1))

    def forward(self, x):
        return self.score(self.trunk(x)) - self.thresholds      # (N, K-1) logits of "stage > k"


def ordinal_targets(y):
    return (y[:, None] > torch.arange(K - 1)[None, :]).float()


def predict_stage(logits):
    return (torch.sigmoid(logits) > 0.5).sum(1)


model = OrdinalNet(X.shape[1], K)
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
ema_decay = 0.99
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=25 * len(train_loader), eta_min=2e-4)
criterion = nn.BCEWithLogitsLoss()

for epoch in range(25):
    model.train()
    tot = 0.0
    for xb, yb in train_loader:
        loss = criterion(model(xb), ordinal_targets(yb))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(ema_decay).add_(pm, alpha=1 - ema_decay)
        tot += loss.item() * len(yb)
    ema.eval()
    with torch.no_grad():
        logits = ema(Xva)
        val_loss = criterion(logits, ordinal_targets(yva)).item()
        pred = predict_stage(logits)
    if epoch % 4 == 0 or epoch == 24:
        acc = (pred == yva).float().mean().item()
        mae = (pred - yva).abs().float().mean().item()
        print(f"epoch {epoch:2d} train_bce {tot / len(tr):.4f} ema_val_bce {val_loss:.4f} acc {acc:.3f} stage_MAE {mae:.3f}")

print(f"final EMA val exact-stage acc {acc:.4f}, within-one-stage {((pred - yva).abs() <= 1).float().mean().item():.4f}, MAE {mae:.3f}")
