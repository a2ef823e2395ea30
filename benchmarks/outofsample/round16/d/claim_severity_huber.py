"""Insurance claim-severity model: heavy-tailed targets under Huber loss.

Continuous policy features are standardised, the vehicle class and region are embedded
(not scaled), targets are robust-scaled (median / IQR) and the model is early-stopped on
a validation split, restoring the best weights.
"""
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)
rng = np.random.default_rng(17)

N = 5000
age = rng.uniform(18, 80, N)
vehicle_value = rng.lognormal(9.8, 0.5, N)
annual_km = rng.gamma(4.0, 3500, N)
vehicle_class = rng.integers(0, 6, N)
region = rng.integers(0, 12, N)
class_eff = np.array([0.0, 0.2, 0.35, -0.15, 0.5, 0.1])
region_eff = rng.normal(0, 0.25, 12)
log_mu = (7.0 + 0.9 * np.log(vehicle_value / 18000) + 0.02 * np.abs(age - 45)
          + 0.6 * np.log(annual_km / 14000) + 2 * class_eff[vehicle_class] + 2 * region_eff[region])
severity = np.exp(log_mu) * rng.lognormal(0.0, 0.6, N)

cont = np.column_stack([age, np.log(vehicle_value), np.log(annual_km)]).astype(np.float32)
idx = rng.permutation(N)
tr, va, te = idx[:3600], idx[3600:4300], idx[4300:]
mu, sd = cont[tr].mean(0), cont[tr].std(0)
cont = (cont - mu) / sd
med = np.median(severity[tr])
iqr = np.subtract(*np.percentile(severity[tr], [75, 25]))
target = ((severity - med) / iqr).astype(np.float32)


def tensors(rows):
    return (torch.from_numpy(cont[rows]), torch.from_numpy(vehicle_class[rows]),
            torch.from_numpy(region[rows]), torch.from_numpy(target[rows]))


class SeverityNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.cls_emb = nn.Embedding(6, 4)
        self.reg_emb = nn.Embedding(12, 4)
        self.mlp = nn.Sequential(nn.Linear(3 + 8, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                                 nn.Linear(32, 1))

    def forward(self, x_num, x_cls, x_reg):
        z = torch.cat([x_num, self.cls_emb(x_cls), self.reg_emb(x_reg)], dim=1)
        return self.mlp(z).squeeze(1)


train_loader = DataLoader(TensorDataset(*tensors(tr)), batch_size=64, shuffle=True)
va_t, te_t = tensors(va), tensors(te)
model = SeverityNet()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
criterion = nn.HuberLoss(delta=1.0)

best_loss, best_state, patience, bad = float("inf"), None, 5, 0
for epoch in range(60):
    model.train()
    for xn, xc, xr, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xn, xc, xr), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(*va_t[:3]), va_t[3]).item()
    if val_loss < best_loss - 1e-4:
        best_loss, best_state, bad = val_loss, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch + 1}")
            break
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1}: val_huber={val_loss:.4f}")

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    test_huber = criterion(model(*te_t[:3]), te_t[3]).item()
    pred = model(*te_t[:3]) * iqr + med
true = te_t[3] * iqr + med
mae = (pred - true).abs().mean().item()
baseline = (true - torch.median(torch.from_numpy(severity[tr]).float())).abs().mean().item()
print(f"final test_huber={test_huber:.4f} "
      f"test_MAE={mae:.1f} median_baseline_MAE={baseline:.1f}")
