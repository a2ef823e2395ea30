"""Daily-revenue regression from web-shop counters (Huber loss, MLP, OneCycleLR)."""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
rng = np.random.default_rng(7)

n = 3000
visits = rng.poisson(200, n).astype(float)
clicks = rng.binomial(visits.astype(int), rng.uniform(0.005, 0.05, n)).astype(float)
ads = rng.gamma(2.0, 50.0, n)
weekday = rng.integers(0, 7, n)
price = rng.uniform(5, 50, n)
revenue = 3.0 * clicks * np.log(price) + 0.02 * ads + 10 * (weekday >= 5) + rng.normal(0, 8, n)

# engineered features
ctr = clicks / visits
feats = np.column_stack([
    np.log1p(visits), np.log(clicks), ctr, np.log1p(ads), np.log(price),
    np.sin(2 * np.pi * weekday / 7), np.cos(2 * np.pi * weekday / 7),
])
idx = rng.permutation(n)
tr, va = idx[:2400], idx[2400:]
mu, sd = np.nanmean(feats[tr], 0), np.nanstd(feats[tr], 0)
feats = (feats - mu) / sd
ymu, ysd = revenue[tr].mean(), revenue[tr].std()
target = (revenue - ymu) / ysd

t = lambda a: torch.tensor(a, dtype=torch.float32)
train_loader = DataLoader(TensorDataset(t(feats[tr]), t(target[tr, None])), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(t(feats[va]), t(target[va, None])), batch_size=600)

model = nn.Sequential(nn.Linear(7, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
EPOCHS = 25
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2, total_steps=EPOCHS * len(train_loader))
criterion = nn.HuberLoss(delta=1.0)

for epoch in range(EPOCHS):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
    model.eval()
    with torch.no_grad():
        xb, yb = next(iter(val_loader))
        pred = model(xb)
        mae = ((pred - yb).abs().mean() * ysd).item()
        r2 = 1 - ((pred - yb) ** 2).mean().item() / yb.var().item()
    if epoch % 5 == 4:
        print(f"epoch {epoch+1} val_mae {mae:.3f} val_r2 {r2:.4f}")

print(f"final val_r2 {r2:.4f} val_mae {mae:.3f}")
