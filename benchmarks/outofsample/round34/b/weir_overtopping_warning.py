"""Six-hour overtopping warning for a river weir from the gauge archive.

Rows are hourly forecast points joined with the hydrometric archive; target is whether the
stage at the weir went over the crest within the next six hours.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
np.random.seed(3)

CREST_M = 2.25


def load_archive(n=4200):
    r = np.random
    stage = np.minimum(r.gamma(8.0, 0.2, n), 2.2)                      # weir stage now (m)
    up1 = stage * r.uniform(0.8, 1.3, n) + r.normal(0, 0.1, n)
    up2 = up1 * r.uniform(0.8, 1.25, n) + r.normal(0, 0.1, n)
    rise_3h = r.normal(0.0, 0.18, n) + 0.25 * (up1 - stage)
    rain_6h = r.gamma(1.2, 3.0, n)
    rain_fc_6h = 0.5 * rain_6h + r.gamma(1.0, 2.5, n)
    soil = np.clip(r.beta(3, 2, n) + 0.02 * rain_6h, 0, 1)
    release = r.gamma(2.0, 4.0, n)                     # upstream reservoir release (m3/s)
    tide = np.sin(r.uniform(0, 2 * np.pi, n))          # tidal backwater at the outfall
    future_rise = (0.55 * rise_3h + 0.05 * (up2 - stage) + 0.028 * rain_fc_6h * soil
                   + 0.012 * release + 0.10 * tide + r.normal(0, 0.22, n))
    stage_max_6h = stage + np.maximum(future_rise, 0) + np.abs(r.normal(0, 0.03, n))
    cols = dict(stage=stage, up1=up1, up2=up2, rise_3h=rise_3h, rain_6h=rain_6h,
                rain_fc_6h=rain_fc_6h, soil=soil, release=release, tide=tide,
                stage_max_6h=stage_max_6h)
    label = (stage_max_6h > CREST_M).astype(np.float32)
    return cols, label


cols, label = load_archive()
FEATURES = ["stage", "up1", "up2", "rise_3h", "rain_6h", "rain_fc_6h", "soil", "release", "tide",
            "stage_max_6h"]
X = np.column_stack([cols[c] for c in FEATURES]).astype(np.float32)
y = label

idx = np.random.permutation(len(y))
tr, va = idx[:3400], idx[3400:]
mean, std = X[tr].mean(0), X[tr].std(0)
X = (X - mean) / std
print(f"{len(tr)} train / {len(va)} val rows, positive share {y.mean():.3f}")

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
                        batch_size=256)


class WarningNet(nn.Module):
    def __init__(self, d_in, hidden=48):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, hidden), nn.SiLU(),
                                  nn.Linear(hidden, hidden), nn.SiLU())
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.out(self.body(x)).squeeze(-1)


def evaluate(model, loader):
    model.eval()
    total_loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total_loss += F.binary_cross_entropy_with_logits(logits, yb, reduction="sum").item()
            correct += ((logits > 0).float() == yb).sum().item()
            n += len(yb)
    return total_loss / n, correct / n


model = WarningNet(X.shape[1])
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-5)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=8, gamma=0.5)

for epoch in range(1, 13):
    model.train()
    tr_loss, seen = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(xb), yb)
        loss.backward()
        optimizer.step()
        tr_loss += loss.item() * len(yb)
        seen += len(yb)
    scheduler.step()
    if epoch % 4 == 0:
        val_loss, val_acc = evaluate(model, val_loader)
        print(f"epoch {epoch:2d} train_loss {tr_loss / seen:.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

val_loss, val_acc = evaluate(model, val_loader)
print(f"final val_loss={val_loss:.4f} val_acc={val_acc:.4f}")
