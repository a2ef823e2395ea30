"""PV string soiling triage: decide per string whether it is clean, lightly soiled, heavily
soiled or needs a wash, from site weather history and IV-curve features of the last scan.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

SEED = 11
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

N = 5000
days_since_rain = rng.exponential(12, N)
days_since_wash = rng.uniform(0, 120, N)
dust_index = rng.lognormal(0, 0.6, N)
tilt = rng.uniform(5, 40, N)
humidity = rng.uniform(10, 95, N)
bird_activity = rng.poisson(1.5, N).astype(float)
near_road = (rng.random(N) < 0.3).astype(float)
module_age = rng.uniform(0, 15, N)
irradiance = rng.uniform(300, 1000, N)

soil = (
    0.035 * np.minimum(days_since_rain, days_since_wash)
    + 0.55 * dust_index * (1 + 0.8 * near_road)
    - 0.025 * (tilt - 20)
    + 0.012 * (humidity - 50) * (dust_index > 1)
    + 0.15 * bird_activity
    + rng.normal(0, 0.25, N)
)
# IV-curve symptoms: current loss tracks soiling; fill factor drops with age and hot spots
isc_ratio = 1.0 - 0.06 * soil - 0.004 * module_age + rng.normal(0, 0.03, N)
fill_factor = 0.78 - 0.015 * soil - 0.003 * module_age + 0.01 * bird_activity * rng.normal(0, 1, N) \
    + rng.normal(0, 0.01, N)
pr_drop = 0.05 * soil + rng.normal(0, 0.04, N)

label = np.digitize(soil, np.quantile(soil, [0.35, 0.65, 0.88]))

X = np.column_stack([
    days_since_rain, days_since_wash, dust_index, tilt, humidity, bird_activity,
    near_road, module_age, irradiance, isc_ratio, fill_factor, pr_drop,
]).astype(np.float32)
y = label.astype(np.int64)

idx = rng.permutation(N)
tr, va, te = idx[:3400], idx[3400:4200], idx[4200:]
cont = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11]           # near_road stays 0/1
mu, sd = X[tr][:, cont].mean(0), X[tr][:, cont].std(0)
X[:, cont] = (X[:, cont] - mu) / sd


def loader(rows, shuffle, bs):
    ds = TensorDataset(torch.from_numpy(X[rows]), torch.from_numpy(y[rows]))
    return DataLoader(ds, batch_size=bs, shuffle=shuffle)


train_dl = loader(tr, True, 64)
val_dl = loader(va, False, 32)
test_dl = loader(te, False, 32)

model = nn.Sequential(
    nn.Linear(X.shape[1], 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.4),
    nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.4),
    nn.Linear(64, 4),
)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.3)


@torch.no_grad()
def run_eval(dl):
    total_loss, correct, n = 0.0, 0, 0
    for xb, yb in dl:
        logits = model(xb)
        total_loss += F.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
        n += len(yb)
    return total_loss / n, correct / n


for epoch in range(25):
    model.train()
    tot, n = 0.0, 0
    for xb, yb in train_dl:
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        tot += loss.item() * len(yb)
        n += len(yb)
    scheduler.step()
    val_loss, val_acc = run_eval(val_dl)
    if epoch % 4 == 0 or epoch == 24:
        print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.1e} train {tot / n:.4f} "
              f"val_loss {val_loss:.4f} val_acc {val_acc:.3f}")

test_loss, test_acc = run_eval(test_dl)
print(f"FINAL test_acc {test_acc:.4f} test_loss {test_loss:.4f}")
