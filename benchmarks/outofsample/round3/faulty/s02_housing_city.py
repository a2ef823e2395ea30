import numpy as np, torch, torch.nn as nn
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(0); np.random.seed(0)
rng = np.random.default_rng(1)
n = 3000
area = rng.normal(100, 30, n); rooms = rng.integers(1, 7, n).astype(float); age = rng.uniform(0, 60, n)
city = rng.integers(0, 25, n)
city_effect = rng.normal(0, 1.5, 25)
price = 0.02 * (area - 100) + 0.3 * (rooms - 3.5) - 0.015 * (age - 30) + city_effect[city] + rng.normal(0, 0.2, n)
X = np.column_stack([area, rooms, age, city]).astype(np.float64)
y = price.astype(np.float32)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0)
sc = StandardScaler().fit(Xtr)
Xtr, Xva = sc.transform(Xtr).astype(np.float32), sc.transform(Xva).astype(np.float32)
train = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
lossf = nn.MSELoss()
for ep in range(40):
    model.train()
    for xb, yb in train:
        opt.zero_grad(); loss = lossf(model(xb).squeeze(1), yb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        vmse = lossf(model(torch.tensor(Xva)).squeeze(1), torch.tensor(yva)).item()
    if ep % 10 == 9: print(f"epoch {ep+1} train {loss.item():.3f} val_mse {vmse:.3f}")
print(f"final val_mse {vmse:.4f} (target var {yva.var():.3f})")
